// CompletionQueueServer and UnaryCompletionQueueMethod inside a real ServiceProcess on a loopback
// port: Score answered inline by a fixed set of completion-queue threads, GetRules from the same
// queues on the process's executor, under concurrent callers, deadlines, cancellation, a full
// executor and a shutdown with calls in flight; and the process's SyncHealthService (Check,
// Watch). The handlers are the test's (Score echoes the customer id and can be told to sleep),
// so what is tested is the serving, not the rules.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "churn/v1/scoring.grpc.pb.h"
#include "common/service_process.h"
#include "common/completion_queue_server.h"
#include "common/unary_completion_queue_method.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"

namespace churn::service {
namespace {

using namespace std::chrono_literals;

constexpr int kThreads = 2;

// Only Score and GetRules are requested; the other methods are never called here.
using AsyncScoring = v1::ScoringService::AsyncService;

// "sleep:<ms>:<id>" sleeps that long before answering; every answer echoes the id.
class EchoHandler {
 public:
  grpc::Status operator()(grpc::ServerContext&, const v1::ScoreRequest& request,
                          v1::ScoreResponse* response) {
    const int now_running = running_.fetch_add(1) + 1;
    int seen = max_running_.load();
    while (now_running > seen && !max_running_.compare_exchange_weak(seen, now_running)) {
    }
    ++calls_;
    std::string id = request.signals().customer_id();
    if (absl::StartsWith(id, "sleep:")) {
      const size_t colon = id.find(':', 6);
      int ms = 0;
      if (colon != std::string::npos && absl::SimpleAtoi(id.substr(6, colon - 6), &ms)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      }
    }
    if (id == "refuse") {
      running_.fetch_sub(1);
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "refused");
    }
    response->mutable_assessment()->set_customer_id(id);
    running_.fetch_sub(1);
    return grpc::Status::OK;
  }

  int max_running() const { return max_running_.load(); }
  int calls() const { return calls_.load(); }

 private:
  std::atomic<int> running_{0};
  std::atomic<int> max_running_{0};
  std::atomic<int> calls_{0};
};

class CompletionQueueServerTest : public ::testing::Test {
 protected:
  void SetUp() override { StartHost(/*executor_queue=*/8); }

  void StartHost(int executor_queue) {
    ServiceProcessOptions options;
    options.service_name = "cqtest";
    options.grpc_address = "127.0.0.1:0";
    options.metrics_address = "127.0.0.1:0";
    options.drain_timeout = 3000ms;
    options.worker_threads = 1;
    options.work_queue = executor_queue;
    host_ = std::make_unique<ServiceProcess>(options);
    service_ = std::make_unique<AsyncScoring>();
    queues_ = std::make_unique<CompletionQueueServer>("cqtest", kThreads);
    score_ = std::make_unique<UnaryCompletionQueueMethod<v1::ScoreRequest, v1::ScoreResponse>>(
        *queues_,
        [this](grpc::ServerContext* context, v1::ScoreRequest* request,
               grpc::ServerAsyncResponseWriter<v1::ScoreResponse>* writer,
               grpc::ServerCompletionQueue* cq,
               void* tag) { service_->RequestScore(context, request, writer, cq, cq, tag); },
        [this](grpc::ServerContext& context, const v1::ScoreRequest& request,
               v1::ScoreResponse* response) { return handler_(context, request, response); });
    // GetRules on the executor: sleeps 300 ms, answers the yaml "slow".
    get_rules_ =
        std::make_unique<UnaryCompletionQueueMethod<v1::GetRulesRequest, v1::GetRulesResponse>>(
            *queues_,
            [this](grpc::ServerContext* context, v1::GetRulesRequest* request,
                   grpc::ServerAsyncResponseWriter<v1::GetRulesResponse>* writer,
                   grpc::ServerCompletionQueue* cq,
                   void* tag) { service_->RequestGetRules(context, request, writer, cq, cq, tag); },
            [this](grpc::ServerContext&, const v1::GetRulesRequest&,
                   v1::GetRulesResponse* response) {
              executor_thread_ = std::this_thread::get_id();
              std::this_thread::sleep_for(300ms);
              response->set_yaml("slow");
              return grpc::Status::OK;
            },
            &host_->executor());
    host_->AddService(service_.get(), v1::ScoringService::service_full_name());
    host_->AddCompletionQueueServer(queues_.get());
    host_->UseSyncHealthService();
    ASSERT_TRUE(host_->Start().ok());
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(host_->grpc_port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::ScoringService::NewStub(channel_);
  }

  void TearDown() override {
    if (host_) host_->Shutdown();
  }

  void WaitForExecutorBusy(int busy) {
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    while (host_->executor().busy() != busy && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(1ms);
    }
    ASSERT_EQ(host_->executor().busy(), busy);
  }

  grpc::Status GetRules(v1::GetRulesResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 5s);
    return stub_->GetRules(&context, v1::GetRulesRequest(), response);
  }

  // grpc.health.v1 Check of `service`: "SERVING", "NOT_SERVING" or the error code's number.
  std::string Health(const std::string& service) {
    auto health = grpc::health::v1::Health::NewStub(channel_);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 5s);
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = health->Check(&context, request, &response);
    if (!status.ok()) return "code " + std::to_string(status.error_code());
    return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
  }

  grpc::Status Score(const std::string& id, v1::ScoreResponse* response,
                     std::chrono::milliseconds deadline = 5000ms) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + deadline);
    v1::ScoreRequest request;
    request.mutable_signals()->set_customer_id(id);
    return stub_->Score(&context, request, response);
  }

  EchoHandler handler_;
  std::unique_ptr<AsyncScoring> service_;  // an async service is registered with one server only
  std::unique_ptr<ServiceProcess> host_;
  std::unique_ptr<CompletionQueueServer> queues_;
  std::unique_ptr<UnaryCompletionQueueMethod<v1::ScoreRequest, v1::ScoreResponse>> score_;
  std::unique_ptr<UnaryCompletionQueueMethod<v1::GetRulesRequest, v1::GetRulesResponse>> get_rules_;
  std::thread::id executor_thread_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ScoringService::Stub> stub_;
};

TEST_F(CompletionQueueServerTest, ConcurrentCallersEachGetTheirOwnAnswer) {
  constexpr int kCallers = 8;
  constexpr int kCallsEach = 150;
  std::atomic<int> wrong{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&, c] {
      // Half the callers share the fixture's connection, half open their own.
      std::unique_ptr<v1::ScoringService::Stub> own;
      if (c % 2 == 1) {
        grpc::ChannelArguments args;
        args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
        own = v1::ScoringService::NewStub(
            grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(host_->grpc_port()),
                                      grpc::InsecureChannelCredentials(), args));
      }
      v1::ScoringService::Stub& stub = own ? *own : *stub_;
      for (int i = 0; i < kCallsEach; ++i) {
        const std::string id = "c" + std::to_string(c) + "-" + std::to_string(i);
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + 5s);
        v1::ScoreRequest request;
        request.mutable_signals()->set_customer_id(id);
        v1::ScoreResponse response;
        grpc::Status status = stub.Score(&context, request, &response);
        if (!status.ok() || response.assessment().customer_id() != id) ++wrong;
      }
    });
  }
  for (std::thread& caller : callers) caller.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(handler_.calls(), kCallers * kCallsEach);
  // The threads are the bound: never more handlers at once than threads.
  EXPECT_LE(handler_.max_running(), kThreads);
}

TEST_F(CompletionQueueServerTest, AHandlerErrorReachesTheCaller) {
  v1::ScoreResponse response;
  grpc::Status status = Score("refuse", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "refused");
  ASSERT_TRUE(Score("after", &response).ok());
  EXPECT_EQ(response.assessment().customer_id(), "after");
}

TEST_F(CompletionQueueServerTest, ACallPastItsDeadlineIsNotRun) {
  // Both threads busy for 600 ms; the third call's 100 ms deadline passes while it waits.
  auto busy1 = std::async(std::launch::async, [&] {
    v1::ScoreResponse r;
    return Score("sleep:600:a", &r).ok();
  });
  auto busy2 = std::async(std::launch::async, [&] {
    v1::ScoreResponse r;
    return Score("sleep:600:b", &r).ok();
  });
  std::this_thread::sleep_for(150ms);  // both are running
  v1::ScoreResponse response;
  EXPECT_EQ(Score("late", &response, 100ms).error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_TRUE(busy1.get());
  EXPECT_TRUE(busy2.get());
  ASSERT_TRUE(Score("next", &response).ok());
  // "late" never reached the handler: the two sleepers and "next" did.
  EXPECT_EQ(handler_.calls(), 3);
}

TEST_F(CompletionQueueServerTest, ACancelledCallEndsCancelledAndTheServerGoesOn) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 5s);
  v1::ScoreRequest request;
  request.mutable_signals()->set_customer_id("sleep:300:x");
  v1::ScoreResponse response;
  std::promise<grpc::Status> done;
  stub_->async()->Score(&context, &request, &response,
                        [&done](grpc::Status status) { done.set_value(status); });
  std::this_thread::sleep_for(100ms);
  context.TryCancel();
  EXPECT_EQ(done.get_future().get().error_code(), grpc::StatusCode::CANCELLED);
  v1::ScoreResponse next;
  ASSERT_TRUE(Score("next", &next).ok());
  EXPECT_EQ(next.assessment().customer_id(), "next");
}

TEST_F(CompletionQueueServerTest, ShutdownLetsCallsInFlightFinish) {
  std::vector<std::future<grpc::Status>> in_flight;
  for (int i = 0; i < 4; ++i) {  // two run, two wait for a thread
    in_flight.push_back(std::async(std::launch::async, [this, i] {
      v1::ScoreResponse response;
      grpc::Status status = Score("sleep:300:" + std::to_string(i), &response);
      if (status.ok() && response.assessment().customer_id() != "sleep:300:" + std::to_string(i)) {
        return grpc::Status(grpc::StatusCode::INTERNAL, "wrong answer");
      }
      return status;
    }));
  }
  std::this_thread::sleep_for(100ms);
  const auto started = std::chrono::steady_clock::now();
  host_->Shutdown();  // drains (3 s at most), then stops the threads
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2500ms);
  for (auto& call : in_flight) {
    grpc::Status status = call.get();
    EXPECT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(handler_.calls(), 4);
  v1::ScoreResponse response;
  EXPECT_FALSE(Score("after", &response, 500ms).ok());
}

TEST_F(CompletionQueueServerTest, AMethodOnTheExecutorLeavesTheQueuesFree) {
  auto slow = std::async(std::launch::async, [this] {
    v1::GetRulesResponse response;
    grpc::Status status = GetRules(&response);
    return status.ok() ? response.yaml() : status.error_message();
  });
  WaitForExecutorBusy(1);  // GetRules is running on the executor
  // The queue threads are free: Score answers while GetRules still sleeps.
  for (int i = 0; i < 2 * kThreads; ++i) {
    v1::ScoreResponse response;
    ASSERT_TRUE(Score("quick" + std::to_string(i), &response).ok());
  }
  EXPECT_EQ(host_->executor().busy(), 1);
  EXPECT_EQ(slow.get(), "slow");
  EXPECT_NE(executor_thread_, std::thread::id());
}

TEST_F(CompletionQueueServerTest, AFullExecutorAnswersResourceExhausted) {
  host_->Shutdown();
  StartHost(/*executor_queue=*/0);  // one executor thread, nobody may wait for it
  auto first = std::async(std::launch::async, [this] {
    v1::GetRulesResponse response;
    return GetRules(&response).error_code();
  });
  WaitForExecutorBusy(1);  // the first call holds the one thread
  v1::GetRulesResponse response;
  EXPECT_EQ(GetRules(&response).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(first.get(), grpc::StatusCode::OK);
  WaitForExecutorBusy(0);  // its task ends just after its answer went out
  EXPECT_TRUE(GetRules(&response).ok());
}

TEST_F(CompletionQueueServerTest, ShutdownWaitsForAMethodOnTheExecutor) {
  auto slow = std::async(std::launch::async, [this] {
    v1::GetRulesResponse response;
    grpc::Status status = GetRules(&response);
    return status.ok() ? response.yaml() : status.error_message();
  });
  std::this_thread::sleep_for(100ms);
  host_->Shutdown();
  EXPECT_EQ(slow.get(), "slow");
}

TEST_F(CompletionQueueServerTest, HealthChecksAnswerServingAndNotServing) {
  const std::string name(v1::ScoringService::service_full_name());
  EXPECT_EQ(Health(""), "NOT_SERVING");
  EXPECT_EQ(Health(name), "NOT_SERVING");
  EXPECT_EQ(Health("no.such.Service"), "code " + std::to_string(grpc::StatusCode::NOT_FOUND));
  host_->SetServing(true);
  EXPECT_EQ(Health(""), "SERVING");
  EXPECT_EQ(Health(name), "SERVING");
  host_->SetServing(false);
  EXPECT_EQ(Health(name), "NOT_SERVING");
}

TEST_F(CompletionQueueServerTest, HealthWatchFollowsChangesAndEndsAtShutdown) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 10s);
  grpc::health::v1::HealthCheckRequest request;
  auto reader = health->Watch(&context, request);
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  host_->SetServing(true);
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  // Shutdown reports NOT_SERVING and ends the stream instead of waiting out the drain (3 s).
  const auto started = std::chrono::steady_clock::now();
  auto shutdown = std::async(std::launch::async, [this] { host_->Shutdown(); });
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  EXPECT_FALSE(reader->Read(&response));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  shutdown.get();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2000ms);
}

TEST_F(CompletionQueueServerTest, AHealthWatchOfAnUnknownServiceSaysSo) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 10s);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service("no.such.Service");
  auto reader = health->Watch(&context, request);
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVICE_UNKNOWN);
  context.TryCancel();
  EXPECT_FALSE(reader->Read(&response));
}

}  // namespace
}  // namespace churn::service
