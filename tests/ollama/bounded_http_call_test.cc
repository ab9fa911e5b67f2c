// The total deadline of one HTTP exchange: kept however the server misbehaves (silent, hung
// after accepting, trickling bytes, never accepting), and an abandoned exchange really ends.
#include "ollama/bounded_http_call.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "fake_ollama/fake_ollama_server.h"
#include "fake_ollama/loopback_socket.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace churn::ollama {
namespace {

using churn::testing::FakeOllamaServer;
using std::chrono::milliseconds;

// The precision the issue asks for: a 2 s timeout returns within 2 s + 100 ms.
constexpr milliseconds kTimeout{2000};
constexpr milliseconds kSlack{100};

HttpRequest ChatWith(const std::string& marker) {
  HttpRequest request;
  request.method = "POST";
  request.path = "/api/chat";
  request.body = nlohmann::json{{"model", "llama3.1:8b"},
                                {"stream", false},
                                {"messages", {{{"role", "user"}, {"content", marker}}}}}
                     .dump();
  return request;
}

std::unique_ptr<FakeOllamaServer> StartFake() {
  auto fake = FakeOllamaServer::Start({});
  EXPECT_TRUE(fake.ok()) << fake.status();
  return fake.ok() ? *std::move(fake) : nullptr;
}

// Runs one call with the 2 s timeout and checks how long it took.
absl::Status CallAndTime(const HttpEndpoint& endpoint, const HttpRequest& request) {
  const auto started = Clock::now();
  absl::StatusOr<HttpResponse> response = CallWithDeadline(endpoint, request, started + kTimeout);
  const auto took = Clock::now() - started;
  std::cout << "returned after " << std::chrono::duration<double, std::milli>(took).count()
            << " ms\n";
  EXPECT_GE(took, kTimeout - milliseconds(5));
  EXPECT_LE(took, kTimeout + kSlack);
  return response.status();
}

bool WorkersEndWithin(milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (HttpWorkersRunning() > 0) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

TEST(BoundedHttpCall, ReturnsTheResponseOfAWellBehavedServer) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  HttpRequest request;
  request.path = "/api/version";
  auto response = CallWithDeadline({fake->base_url()}, request, Clock::now() + kTimeout);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_NE(response->body.find("version"), std::string::npos);
}

TEST(BoundedHttpCall, HungServerIsAbandonedAtTheDeadline) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  absl::Status status = CallAndTime({fake->base_url()}, ChatWith("[[fake:hang]]"));
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  // The abandoned exchange does not linger: its socket was shut down.
  EXPECT_TRUE(WorkersEndWithin(milliseconds(500)));
}

TEST(BoundedHttpCall, TricklingServerIsAbandonedAtTheDeadline) {
  // One byte every 100 ms: every socket read succeeds, so per-operation timeouts never fire.
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  absl::Status status = CallAndTime({fake->base_url()}, ChatWith("[[fake:trickle]]"));
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_TRUE(WorkersEndWithin(milliseconds(500)));
}

TEST(BoundedHttpCall, ServerThatNeverAcceptsIsAbandonedAtTheDeadline) {
  // The kernel completes the handshake from the backlog; nobody ever reads the request.
  churn::testing::LoopbackSocket listening(/*listen=*/true);
  absl::Status status =
      CallAndTime({absl::StrCat("http://127.0.0.1:", listening.port())}, ChatWith("hello"));
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
}

TEST(BoundedHttpCall, AnswerJustInsideTheDeadlineArrives) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  const auto started = Clock::now();
  auto response =
      CallWithDeadline({fake->base_url()}, ChatWith("[[fake:slow=1800]]"), started + kTimeout);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_GE(Clock::now() - started, milliseconds(1800));
}

TEST(BoundedHttpCall, RefusedConnectionIsUnavailableAtOnce) {
  churn::testing::RefusingPort refusing(/*listen=*/false);
  const auto started = Clock::now();
  auto response = CallWithDeadline({absl::StrCat("http://127.0.0.1:", refusing.port())},
                                   ChatWith("hello"), started + kTimeout);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable) << response.status();
  EXPECT_LT(Clock::now() - started, milliseconds(500));
}

TEST(BoundedHttpCall, StopRequestEndsTheWaitAtOnce) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  std::stop_source stop;
  std::jthread canceller([&stop] {
    std::this_thread::sleep_for(milliseconds(200));
    stop.request_stop();
  });
  const auto started = Clock::now();
  auto response = CallWithDeadline({fake->base_url()}, ChatWith("[[fake:hang]]"),
                                   started + std::chrono::seconds(30), stop.get_token());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kCancelled) << response.status();
  EXPECT_LT(Clock::now() - started, milliseconds(200) + kSlack);
  EXPECT_TRUE(WorkersEndWithin(milliseconds(500)));
}

TEST(BoundedHttpCall, PassedDeadlineFailsWithoutCalling) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  auto response = CallWithDeadline({fake->base_url()}, ChatWith("hello"), Clock::now());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(fake->stats().chat_requests, 0);
}

TEST(BoundedHttpCall, RejectsAUrlWithoutScheme) {
  auto response = CallWithDeadline({"127.0.0.1:11434"}, ChatWith("hello"), Clock::now() + kTimeout);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace churn::ollama
