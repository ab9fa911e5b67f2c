// The total deadline of one HTTP exchange: kept however the server misbehaves (silent, hung
// after accepting, trickling bytes, never accepting), a stop request honoured at once, every
// transport failure mapped to its code, and no thread started or left behind.
#include "ollama/bounded_http_call.h"

#include <filesystem>
#include <thread>
#include <vector>

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
  EXPECT_GE(took, kTimeout);
  EXPECT_LE(took, kTimeout + kSlack);
  return response.status();
}

// Threads of this process, as the kernel lists them.
int ThreadCount() {
  int count = 0;
  for ([[maybe_unused]] const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    ++count;
  }
  return count;
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
}

TEST(BoundedHttpCall, TricklingServerIsAbandonedAtTheDeadline) {
  // One byte every 100 ms: every socket read succeeds, so per-operation timeouts never fire.
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  absl::Status status = CallAndTime({fake->base_url()}, ChatWith("[[fake:trickle]]"));
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
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
      CallWithDeadline({fake->base_url()}, ChatWith("[[fake:slow=1200]]"), started + kTimeout);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_GE(Clock::now() - started, milliseconds(1200));
}

TEST(BoundedHttpCall, RefusedConnectionIsUnavailableAtOnce) {
  churn::testing::RefusingPort refusing(/*listen=*/false);
  const auto started = Clock::now();
  auto response = CallWithDeadline({absl::StrCat("http://127.0.0.1:", refusing.port())},
                                   ChatWith("hello"), started + kTimeout);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable) << response.status();
  EXPECT_LT(Clock::now() - started, milliseconds(500));
}

TEST(BoundedHttpCall, ConnectionClosedMidReplyIsUnavailable) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  const auto started = Clock::now();
  auto response =
      CallWithDeadline({fake->base_url()}, ChatWith("[[fake:drop]]"), started + kTimeout);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable) << response.status();
  EXPECT_NE(response.status().message().find("broke"), absl::string_view::npos)
      << response.status();
  // At once, not at the deadline (with room for a sanitizer build on a loaded machine).
  EXPECT_LT(Clock::now() - started, kTimeout / 2);
}

TEST(BoundedHttpCall, GarbageBodyIsReturnedAsItCame) {
  // Judging the body is the caller's business (OllamaClient reports it as malformed).
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  auto response =
      CallWithDeadline({fake->base_url()}, ChatWith("[[fake:garbage]]"), Clock::now() + kTimeout);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "<html><body>upstream exploded</body></html>");
}

TEST(BoundedHttpCall, ReplyLongerThanTheLimitIsRefused) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  HttpEndpoint endpoint{fake->base_url()};
  endpoint.max_reply_bytes = 64;  // a normal answer is a few hundred bytes
  auto response = CallWithDeadline(endpoint, ChatWith("hello"), Clock::now() + kTimeout);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kOutOfRange) << response.status();
  EXPECT_NE(response.status().message().find("longer than the limit of 64 bytes"),
            absl::string_view::npos)
      << response.status();
}

TEST(BoundedHttpCall, FloodWithoutALengthIsCutAtTheLimit) {
  // The trickle announces no length (chunked), so only the running count can stop it.
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  HttpEndpoint endpoint{fake->base_url()};
  endpoint.max_reply_bytes = 5;  // five bytes of whitespace: half a second
  const auto started = Clock::now();
  auto response = CallWithDeadline(endpoint, ChatWith("[[fake:trickle]]"), started + kTimeout);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kOutOfRange) << response.status();
  EXPECT_LT(Clock::now() - started, milliseconds(1500));
}

TEST(BoundedHttpCall, StopRequestEndsTheCallAtOnce) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  std::stop_source stop;
  Clock::time_point stop_requested_at;
  std::jthread canceller([&] {
    std::this_thread::sleep_for(milliseconds(300));
    stop_requested_at = Clock::now();
    stop.request_stop();
  });
  const auto started = Clock::now();
  auto response = CallWithDeadline({fake->base_url()}, ChatWith("[[fake:hang]]"),
                                   started + std::chrono::seconds(30), stop.get_token());
  const auto returned_at = Clock::now();
  canceller.join();
  EXPECT_EQ(response.status().code(), absl::StatusCode::kCancelled) << response.status();
  std::cout << "returned "
            << std::chrono::duration<double, std::milli>(returned_at - stop_requested_at).count()
            << " ms after the stop request\n";
  // Well under libcurl's one-second progress interval: the stop wakes the poll.
  EXPECT_LT(returned_at - stop_requested_at, kSlack);
}

TEST(BoundedHttpCall, StartsNoThreadAndLeavesNoneBehind) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  constexpr int kCalls = 20;
  constexpr milliseconds kDeadline{3000};
  // The fake's worker pool is complete once it has answered a request: count from then on.
  HttpRequest version;
  version.path = "/api/version";
  ASSERT_TRUE(CallWithDeadline({fake->base_url()}, version, Clock::now() + kTimeout).ok());
  const int before = ThreadCount();

  std::vector<absl::Status> results(kCalls);
  std::vector<Clock::time_point> returned_at(kCalls);
  std::vector<std::thread> callers;
  const auto deadline = Clock::now() + kDeadline;
  // One caller at a time, each once the previous one hangs in the fake: the fake's listen backlog
  // (libcpp-httplib's, 5) would drop a burst of connects on a busy machine, and a dropped SYN is
  // retried only after a second.
  for (int i = 0; i < kCalls; ++i) {
    callers.emplace_back([&, i] {
      results[i] =
          CallWithDeadline({fake->base_url()}, ChatWith("[[fake:hang]]"), deadline).status();
      returned_at[i] = Clock::now();
    });
    while (fake->stats().in_flight <= i && Clock::now() < deadline - milliseconds(200)) {
      std::this_thread::sleep_for(milliseconds(1));
    }
  }
  // With every call hanging in the fake: the callers' own threads and nothing more.
  EXPECT_EQ(fake->stats().in_flight, kCalls);
  EXPECT_EQ(ThreadCount(), before + kCalls);
  for (std::thread& caller : callers) caller.join();
  EXPECT_EQ(ThreadCount(), before);
  for (int i = 0; i < kCalls; ++i) {
    EXPECT_EQ(results[i].code(), absl::StatusCode::kDeadlineExceeded) << results[i];
    // Twenty calls expire at once: this checks none outlives the deadline by much (the 100 ms
    // precision of one call is the tests above, a busy machine may not wake twenty threads as
    // fast).
    EXPECT_LE(returned_at[i] - deadline, milliseconds(500)) << "call " << i;
  }
}

TEST(BoundedHttpCall, PassedDeadlineFailsWithoutCalling) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  auto response = CallWithDeadline({fake->base_url()}, ChatWith("hello"), Clock::now());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(fake->stats().chat_requests, 0);
}

TEST(BoundedHttpCall, RejectsABaseUrlThatIsNotSchemeHostPort) {
  for (const char* url : {"127.0.0.1:11434", "ftp://127.0.0.1:11434", "http://127.0.0.1:11434/api",
                          "http://127.0.0.1:11434?x=1", "http://", "not a url"}) {
    auto response = CallWithDeadline({url}, ChatWith("hello"), Clock::now() + kTimeout);
    EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument)
        << url << ": " << response.status();
  }
}

TEST(BoundedHttpCall, ReachesTheServerByHostName) {
  // A name goes through libcurl's resolver and the DNS cache all calls share.
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  HttpRequest request;
  request.path = "/api/version";
  for (int call = 0; call < 2; ++call) {
    auto response = CallWithDeadline({absl::StrCat("http://localhost:", fake->port())}, request,
                                     Clock::now() + kTimeout);
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 200);
  }
  EXPECT_EQ(fake->stats().version_requests, 2);
}

TEST(BoundedHttpCall, AcceptsATrailingSlash) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  HttpRequest request;
  request.path = "/api/version";
  auto response = CallWithDeadline({fake->base_url() + "/"}, request, Clock::now() + kTimeout);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
}

}  // namespace
}  // namespace churn::ollama
