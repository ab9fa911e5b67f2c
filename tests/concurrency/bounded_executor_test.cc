#include "concurrency/bounded_executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <latch>
#include <memory>
#include <vector>

namespace churn::concurrency {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

int ThreadsOfThisProcess() {
  int count = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/self/task")) {
    ++count;
  }
  return count;
}

// Holds every task that runs until Open(); counts how many have started.
class Gate {
 public:
  void Wait() {
    started_.fetch_add(1);
    opened_.wait();
  }
  void Open() { opened_.count_down(); }
  int started() const { return started_.load(); }
  void WaitStarted(int n) const {
    while (started_.load() < n) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

 private:
  std::latch opened_{1};
  std::atomic<int> started_{0};
};

TEST(BoundedExecutorTest, RunsEveryAcceptedTask) {
  std::atomic<int> ran{0};
  {
    BoundedExecutor executor({.name = "test", .threads = 3, .max_queue = 100});
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(executor.Submit([&ran] { ran.fetch_add(1); }).ok());
  }  // the destructor lets every accepted task run
  EXPECT_EQ(ran.load(), 100);
}

TEST(BoundedExecutorTest, RefusesBeyondThreadsPlusQueueWithoutBlocking) {
  BoundedExecutor executor({.name = "gateway-work", .threads = 2, .max_queue = 3});
  Gate gate;
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(executor.Submit([&gate] { gate.Wait(); }).ok());
  gate.WaitStarted(2);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(executor.Submit([] {}).ok());
  EXPECT_EQ(executor.queued(), 3);
  EXPECT_EQ(executor.busy(), 2);

  const auto before = Clock::now();
  absl::Status refused = executor.Submit([] { ADD_FAILURE() << "a refused task ran"; });
  EXPECT_LT(Clock::now() - before, std::chrono::milliseconds(50));
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.message(), HasSubstr("gateway-work"));
  gate.Open();
}

TEST(BoundedExecutorTest, ThreadCountIsFixedWhateverTheLoad) {
  // A sanitizer runtime starts a thread of its own with the first thread the process creates.
  std::thread([] {}).join();
  const int before = ThreadsOfThisProcess();
  BoundedExecutor executor({.name = "test", .threads = 4, .max_queue = 1000});
  EXPECT_EQ(ThreadsOfThisProcess(), before + 4);
  Gate gate;
  int accepted = 0;
  for (int i = 0; i < 1000; ++i) accepted += executor.Submit([&gate] { gate.Wait(); }).ok();
  EXPECT_EQ(accepted, 1000);
  gate.WaitStarted(4);
  EXPECT_EQ(ThreadsOfThisProcess(), before + 4);
  gate.Open();
  EXPECT_TRUE(executor.Shutdown(Clock::now() + std::chrono::seconds(10)));
  EXPECT_EQ(gate.started(), 1000);
  EXPECT_EQ(ThreadsOfThisProcess(), before);
}

TEST(BoundedExecutorTest, TryRunNowOnlyWhenAThreadIsFree) {
  BoundedExecutor executor({.name = "test", .threads = 2, .max_queue = 10});
  Gate gate;
  ASSERT_TRUE(executor.Submit([&gate] { gate.Wait(); }).ok());
  gate.WaitStarted(1);
  // One thread is free: the helper runs, even with a queue allowed behind it.
  std::promise<void> helper_ran;
  ASSERT_TRUE(executor.TryRunNow([&helper_ran] { helper_ran.set_value(); }));
  EXPECT_EQ(helper_ran.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);

  ASSERT_TRUE(executor.Submit([&gate] { gate.Wait(); }).ok());
  gate.WaitStarted(2);
  EXPECT_FALSE(executor.TryRunNow([] { ADD_FAILURE() << "ran without a free thread"; }));
  gate.Open();
}

// Work that waits for its helpers cannot deadlock the pool: with every thread running such work,
// helpers are refused and the work does the helpers' share itself.
TEST(BoundedExecutorTest, WorkWaitingForItsHelpersNeverDeadlocks) {
  BoundedExecutor executor({.name = "test", .threads = 3, .max_queue = 10});
  std::atomic<int> finished{0};
  for (int batch = 0; batch < 6; ++batch) {
    ASSERT_TRUE(executor
                    .Submit([&executor, &finished] {
                      std::atomic<int> helpers_running{0};
                      for (int i = 0; i < 3; ++i) {
                        helpers_running.fetch_add(1);
                        if (!executor.TryRunNow([&helpers_running] {
                              std::this_thread::sleep_for(std::chrono::milliseconds(5));
                              helpers_running.fetch_sub(1);
                            })) {
                          helpers_running.fetch_sub(1);
                        }
                      }
                      while (helpers_running.load() > 0) {
                        std::this_thread::sleep_for(std::chrono::milliseconds(1));
                      }
                      finished.fetch_add(1);
                    })
                    .ok());
  }
  EXPECT_TRUE(executor.Shutdown(Clock::now() + std::chrono::seconds(20)));
  EXPECT_EQ(finished.load(), 6);
}

TEST(BoundedExecutorTest, ShutdownRefusesNewWorkAndReportsADeadlineMissed) {
  auto executor =
      std::make_unique<BoundedExecutor>(ExecutorOptions{.name = "ingest-loads", .threads = 1});
  Gate gate;
  ASSERT_TRUE(executor->Submit([&gate] { gate.Wait(); }).ok());
  gate.WaitStarted(1);
  const auto started = Clock::now();
  EXPECT_FALSE(executor->Shutdown(started + std::chrono::milliseconds(100)));
  EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(100));
  absl::Status late = executor->Submit([] {});
  EXPECT_EQ(late.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(late.message(), HasSubstr("ingest-loads"));
  gate.Open();
  EXPECT_TRUE(executor->Shutdown(Clock::now() + std::chrono::seconds(5)));
  executor.reset();
}

TEST(BoundedExecutorTest, WhatATaskHoldsIsReleasedBeforeShutdownReturns) {
  auto held = std::make_shared<int>(7);
  std::weak_ptr<int> watch = held;
  BoundedExecutor executor({.name = "test", .threads = 1});
  ASSERT_TRUE(executor.Submit([held = std::move(held)] { (void)*held; }).ok());
  EXPECT_TRUE(executor.Shutdown(Clock::now() + std::chrono::seconds(5)));
  EXPECT_TRUE(watch.expired());
}

}  // namespace
}  // namespace churn::concurrency
