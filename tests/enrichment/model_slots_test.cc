// The bound on concurrent model calls: first come first served, a bounded queue, and waits
// that end at the deadline or on cancellation.
#include "enrichment/model_slots.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "recording_observer.h"

namespace churn::enrichment {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

bool WaitFor(const std::function<bool()>& condition, milliseconds limit = milliseconds(2000)) {
  const auto deadline = Clock::now() + limit;
  while (!condition()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

TEST(ModelSlots, WaitsForAFreeSlotUntilTheDeadline) {
  RecordingObserver observer;
  ModelSlots slots(1, 4, &observer);
  auto held = slots.Acquire(Clock::now() + milliseconds(100), {});
  ASSERT_TRUE(held.ok());
  const auto started = Clock::now();
  auto second = slots.Acquire(started + milliseconds(200), {});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_GE(Clock::now() - started, milliseconds(200));
  // Ends at its own deadline, not when the slot frees; the margin absorbs a loaded CI machine.
  EXPECT_LT(Clock::now() - started, milliseconds(1000));
  EXPECT_EQ(observer.max_queue_depth(), 1);
  EXPECT_EQ(observer.queue_depth(), 0);
}

TEST(ModelSlots, ReleasedSlotGoesToTheOldestWaiter) {
  ModelSlots slots(1, 4, nullptr);
  std::optional<ModelSlots::Lease> held;
  {
    auto lease = slots.Acquire(Clock::now() + milliseconds(100), {});
    ASSERT_TRUE(lease.ok());
    held.emplace(*std::move(lease));
  }
  std::mutex order_mu;
  std::vector<int> order;
  std::vector<std::jthread> waiters;
  for (int i = 0; i < 3; ++i) {
    waiters.emplace_back([&, i] {
      auto lease = slots.Acquire(Clock::now() + milliseconds(5000), {});
      ASSERT_TRUE(lease.ok());
      std::lock_guard<std::mutex> lock(order_mu);
      order.push_back(i);
    });
    // Each one queued before the next arrives.
    ASSERT_TRUE(WaitFor([&] { return slots.waiting() == i + 1; }));
  }
  held.reset();
  waiters.clear();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
}

TEST(ModelSlots, FullQueueIsRefusedAtOnce) {
  ModelSlots slots(1, 1, nullptr);
  auto held = slots.Acquire(Clock::now() + milliseconds(100), {});
  ASSERT_TRUE(held.ok());
  std::jthread waiter([&] { (void)slots.Acquire(Clock::now() + milliseconds(1000), {}); });
  ASSERT_TRUE(WaitFor([&] { return slots.waiting() == 1; }));
  const auto started = Clock::now();
  auto refused = slots.Acquire(Clock::now() + milliseconds(1000), {});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_LT(Clock::now() - started, milliseconds(50));
}

TEST(ModelSlots, StopRequestEndsTheWait) {
  ModelSlots slots(1, 4, nullptr);
  auto held = slots.Acquire(Clock::now() + milliseconds(100), {});
  ASSERT_TRUE(held.ok());
  std::stop_source stop;
  std::jthread canceller([&] {
    ASSERT_TRUE(WaitFor([&] { return slots.waiting() == 1; }));
    stop.request_stop();
  });
  auto cancelled = slots.Acquire(Clock::now() + milliseconds(5000), stop.get_token());
  EXPECT_EQ(cancelled.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(slots.waiting(), 0);
}

}  // namespace
}  // namespace churn::enrichment
