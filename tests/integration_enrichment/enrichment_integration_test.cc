// The real churn-enrichment and fake-ollama binaries on ephemeral loopback ports: the model
// path end to end, streamed batch progress, deadlines (per ticket and from the caller),
// cancellation, the cache, metrics, the fallback without a model, and a clean SIGTERM.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "churn/v1/enrichment.grpc.pb.h"
#include "fake_ollama/loopback_socket.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "integration/process.h"
#include "nlohmann/json.hpp"
#include "testing/scratch_dir.h"

namespace churn {
namespace {

using churn::testing::ServiceProcess;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr const char* kSeedSubject = "Renewal quote";
constexpr const char* kSeedBody =
    "The renewal quote is beyond our budget. We may downgrade or cancel if we cannot find a "
    "better price.";

std::unique_ptr<ServiceProcess> StartFakeOllama() {
  auto fake = ServiceProcess::Start(FAKE_OLLAMA_BINARY, std::vector<std::string>{});
  EXPECT_TRUE(fake.ok()) << fake.status();
  return fake.ok() ? *std::move(fake) : nullptr;
}

std::string FreshDir(const std::string& name) {
  const auto dir = churn::testing::ProgramScratch() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::unique_ptr<ServiceProcess> StartEnrichment(const std::string& ollama_url,
                                                const std::string& dir,
                                                std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {
      absl::StrCat("--config=", CHURN_SOURCE_DIR, "/config/enrichment-service.yaml"),
      "--grpc_address=127.0.0.1:0",
      "--metrics_address=127.0.0.1:0",
      "--ollama_url=" + ollama_url,
      "--cache_path=" + dir + "/cache.sqlite",
      "--readiness_interval_ms=100",
      "--drain_timeout_ms=1000",
      "--log_level=warn"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto process = ServiceProcess::Start(CHURN_ENRICHMENT_BINARY, args);
  EXPECT_TRUE(process.ok()) << process.status();
  return process.ok() ? *std::move(process) : nullptr;
}

std::string HttpGet(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(5, 0);
  auto response = client.Get(path.c_str());
  return response && response->status == 200 ? response->body : "";
}

// The value of the first sample of `name` carrying every label in `labels` ("k=\"v\"").
std::optional<double> MetricValue(const std::string& exposition, const std::string& name,
                                  const std::vector<std::string>& labels = {}) {
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (!absl::StartsWith(line, name)) continue;
    const absl::string_view rest = line.substr(name.size());
    if (!rest.empty() && rest[0] != '{' && rest[0] != ' ') continue;  // a longer name
    bool all = true;
    for (const std::string& label : labels) all &= absl::StrContains(line, label);
    if (!all) continue;
    double value = 0;
    if (absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &value)) return value;
  }
  return std::nullopt;
}

// Polls `condition` until it holds or `limit` passes.
bool Eventually(const std::function<bool()>& condition, milliseconds limit = milliseconds(10000)) {
  const auto deadline = Clock::now() + limit;
  while (!condition()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

nlohmann::json FakeStats(int fake_port) {
  const std::string body = HttpGet(fake_port, "/fake/stats");
  return body.empty() ? nlohmann::json::object() : nlohmann::json::parse(body);
}

v1::AnalyzeTicketsRequest BatchOf(const std::vector<std::string>& texts, int timeout_ms) {
  v1::AnalyzeTicketsRequest request;
  for (size_t i = 0; i < texts.size(); ++i) {
    v1::TicketText* ticket = request.add_tickets();
    ticket->set_ticket_id(absl::StrCat("T-", i + 1));
    ticket->set_customer_id(absl::StrCat("S-", i + 1));
    ticket->set_text(texts[i]);
  }
  request.set_timeout_ms(timeout_ms);
  return request;
}

class EnrichmentIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_ = StartFakeOllama();
    ASSERT_NE(fake_, nullptr);
    dir_ = FreshDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    service_ = StartEnrichment(FakeUrl(), dir_);
    ASSERT_NE(service_, nullptr);
    channel_ = grpc::CreateChannel(service_->grpc_target(), grpc::InsecureChannelCredentials());
    stub_ = v1::EnrichmentService::NewStub(channel_);
  }

  std::string FakeUrl() const { return absl::StrCat("http://127.0.0.1:", fake_->grpc_port()); }
  std::string Metrics() const { return HttpGet(service_->metrics_port(), "/metrics"); }

  grpc::Status Analyze(const v1::AnalyzeTicketRequest& request, v1::AnalyzeTicketResponse* response,
                       milliseconds rpc_timeout = milliseconds(20000)) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + rpc_timeout);
    return stub_->AnalyzeTicket(&context, request, response);
  }

  static v1::AnalyzeTicketRequest SeedRequest() {
    v1::AnalyzeTicketRequest request;
    request.set_ticket_id("seed");
    request.set_subject(kSeedSubject);
    request.set_body(kSeedBody);
    return request;
  }

  std::unique_ptr<ServiceProcess> fake_;
  std::unique_ptr<ServiceProcess> service_;
  std::string dir_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::EnrichmentService::Stub> stub_;
};

TEST_F(EnrichmentIntegrationTest, ServingAndTheSeedExampleThroughTheModel) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::health::v1::HealthCheckRequest check;
  check.set_service("churn.v1.EnrichmentService");
  grpc::health::v1::HealthCheckResponse status;
  grpc::ClientContext health_context;
  health_context.set_deadline(std::chrono::system_clock::now() + milliseconds(5000));
  ASSERT_TRUE(health->Check(&health_context, check, &status).ok());
  EXPECT_EQ(status.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  v1::AnalyzeTicketResponse response;
  grpc::Status rpc = Analyze(SeedRequest(), &response);
  ASSERT_TRUE(rpc.ok()) << rpc.error_message();
  const v1::TicketAnalysis& analysis = response.analysis();
  EXPECT_EQ(analysis.source(), "model");
  EXPECT_EQ(analysis.error(), "");
  EXPECT_EQ(analysis.category(), "billing");
  EXPECT_EQ(analysis.sentiment(), "negative");
  EXPECT_TRUE(analysis.churn_intent());
  EXPECT_FALSE(analysis.summary().empty());
  EXPECT_FALSE(analysis.recommended_action().empty());
  EXPECT_EQ(analysis.model(), "llama3.1:8b");
  EXPECT_EQ(analysis.ticket_id(), "seed");
  EXPECT_FALSE(analysis.cached());

  // Readiness checked and the model warmed up at start.
  EXPECT_TRUE(
      Eventually([&] { return MetricValue(Metrics(), "churn_enrichment_ollama_ready") == 1.0; }));
  EXPECT_TRUE(Eventually([&] { return FakeStats(fake_->grpc_port()).value("warmups", 0) == 1; }));
}

TEST_F(EnrichmentIntegrationTest, ReadinessFollowsOllamaAndTheFallbackCoversItsAbsence) {
  ASSERT_TRUE(
      Eventually([&] { return MetricValue(Metrics(), "churn_enrichment_ollama_ready") == 1.0; }));
  ASSERT_TRUE(fake_->Terminate(milliseconds(5000)).ok());
  EXPECT_TRUE(
      Eventually([&] { return MetricValue(Metrics(), "churn_enrichment_ollama_ready") == 0.0; }));
  v1::AnalyzeTicketResponse response;
  grpc::Status rpc = Analyze(SeedRequest(), &response);
  ASSERT_TRUE(rpc.ok()) << rpc.error_message();
  EXPECT_EQ(response.analysis().source(), "fallback");
  EXPECT_TRUE(absl::StartsWith(response.analysis().error(), "model_unavailable: "))
      << response.analysis().error();
  EXPECT_TRUE(response.analysis().churn_intent());
}

TEST_F(EnrichmentIntegrationTest, BatchStreamsProgressAndGoesOnAfterATimeout) {
  v1::AnalyzeTicketsRequest request =
      BatchOf({"The invoice is wrong.", "Anyone there? [[fake:hang]]",
               "We will cancel our subscription next month.", "Login fails with SSO."},
              /*timeout_ms=*/2000);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + milliseconds(20000));
  const auto started = Clock::now();
  auto reader = stub_->AnalyzeTickets(&context, request);
  std::vector<v1::AnalyzeTicketsResponse> messages;
  v1::AnalyzeTicketsResponse message;
  while (reader->Read(&message)) messages.push_back(message);
  grpc::Status status = reader->Finish();
  const auto took = Clock::now() - started;
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(messages.size(), 4u);
  for (size_t i = 0; i < messages.size(); ++i) {
    EXPECT_EQ(messages[i].done(), static_cast<int>(i) + 1);
    EXPECT_EQ(messages[i].total(), 4);
  }
  std::map<std::string, v1::TicketAnalysis> by_id;
  for (const auto& m : messages) by_id[m.result().ticket_id()] = m.result();
  EXPECT_EQ(by_id["T-2"].error(), "timeout_after_2s");
  EXPECT_EQ(by_id["T-2"].source(), "fallback");
  EXPECT_EQ(by_id["T-2"].customer_id(), "S-2");
  for (const char* id : {"T-1", "T-3", "T-4"}) {
    EXPECT_EQ(by_id[id].source(), "model") << id;
    EXPECT_EQ(by_id[id].error(), "") << id;
  }
  EXPECT_TRUE(by_id["T-3"].churn_intent());
  // One hung ticket costs its 2 s, not more.
  EXPECT_LT(took, milliseconds(3000));

  const std::string metrics = Metrics();
  EXPECT_EQ(MetricValue(metrics, "churn_enrichment_requests_total",
                        {"outcome=\"timeout\"", "source=\"fallback\"", "model=\"llama3.1:8b\""}),
            1.0);
  EXPECT_EQ(MetricValue(metrics, "churn_enrichment_requests_total",
                        {"outcome=\"ok\"", "source=\"model\""}),
            3.0);
  EXPECT_EQ(MetricValue(metrics, "churn_enrichment_latency_seconds_count", {"path=\"model\""}),
            4.0);
  EXPECT_GT(MetricValue(metrics, "churn_enrichment_tokens_generated_total").value_or(0), 0);
  EXPECT_EQ(MetricValue(metrics, "churn_enrichment_in_flight"), 0.0);
  EXPECT_EQ(MetricValue(metrics, "churn_enrichment_queue_depth"), 0.0);
  EXPECT_EQ(MetricValue(metrics, "grpc_server_handled_total",
                        {"grpc_method=\"AnalyzeTickets\"", "grpc_code=\"OK\""}),
            1.0);
}

TEST_F(EnrichmentIntegrationTest, RepeatedTicketComesFromTheCache) {
  v1::AnalyzeTicketResponse first, second;
  ASSERT_TRUE(Analyze(SeedRequest(), &first).ok());
  const int sent = FakeStats(fake_->grpc_port()).value("chat_requests", -1);
  ASSERT_TRUE(Analyze(SeedRequest(), &second).ok());
  EXPECT_FALSE(first.analysis().cached());
  EXPECT_TRUE(second.analysis().cached());
  EXPECT_EQ(second.analysis().source(), "model");
  EXPECT_EQ(FakeStats(fake_->grpc_port()).value("chat_requests", -1), sent);
  EXPECT_EQ(MetricValue(Metrics(), "churn_enrichment_cache_hits_total"), 1.0);
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/cache.sqlite"));
}

TEST_F(EnrichmentIntegrationTest, CallerDeadlineCutsTheTicketAndStillAnswers) {
  v1::AnalyzeTicketRequest request;
  request.set_text("Hello? [[fake:hang]]");  // timeout_ms 0: the server default (60 s)
  v1::AnalyzeTicketResponse response;
  const auto started = Clock::now();
  grpc::Status rpc = Analyze(request, &response, milliseconds(1500));
  EXPECT_LT(Clock::now() - started, milliseconds(1500));
  ASSERT_TRUE(rpc.ok()) << rpc.error_code() << " " << rpc.error_message();
  EXPECT_EQ(response.analysis().error(), "timeout_after_2s");
  EXPECT_EQ(response.analysis().source(), "fallback");
}

TEST_F(EnrichmentIntegrationTest, ClientCancellationStopsTheBatch) {
  std::vector<std::string> texts = {"The invoice is wrong."};
  for (int i = 0; i < 5; ++i) texts.push_back(absl::StrCat("Ticket ", i, " [[fake:hang]]"));
  grpc::ClientContext context;
  auto reader = stub_->AnalyzeTickets(&context, BatchOf(texts, /*timeout_ms=*/30000));
  v1::AnalyzeTicketsResponse message;
  ASSERT_TRUE(reader->Read(&message));
  EXPECT_EQ(message.done(), 1);
  ASSERT_TRUE(Eventually([&] { return FakeStats(fake_->grpc_port()).value("in_flight", 0) == 1; }));
  context.TryCancel();
  while (reader->Read(&message)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // The service stops working for nobody: nothing in flight, no further ticket sent.
  EXPECT_TRUE(
      Eventually([&] { return MetricValue(Metrics(), "churn_enrichment_in_flight") == 0.0; },
                 milliseconds(2000)));
  EXPECT_EQ(FakeStats(fake_->grpc_port()).value("chat_requests", -1), 2);
  // And it still answers.
  v1::AnalyzeTicketResponse response;
  EXPECT_TRUE(Analyze(SeedRequest(), &response).ok());
}

TEST_F(EnrichmentIntegrationTest, BadRequestsAreInvalidArgument) {
  v1::AnalyzeTicketRequest empty;
  empty.set_text(" \x01 ");
  v1::AnalyzeTicketResponse response;
  EXPECT_EQ(Analyze(empty, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::AnalyzeTicketRequest negative = SeedRequest();
  negative.set_timeout_ms(-1);
  grpc::Status status = Analyze(negative, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "timeout_ms")) << status.error_message();

  v1::AnalyzeTicketsRequest batch = BatchOf({"a"}, 1000);
  batch.set_limit(-1);
  grpc::ClientContext context;
  auto reader = stub_->AnalyzeTickets(&context, batch);
  v1::AnalyzeTicketsResponse message;
  EXPECT_FALSE(reader->Read(&message));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(EnrichmentIntegrationTest, SigtermWithAHungModelCallExitsCleanly) {
  std::thread caller([&] {
    v1::AnalyzeTicketRequest request;
    request.set_text("Hello? [[fake:hang]]");
    request.set_timeout_ms(30000);
    v1::AnalyzeTicketResponse response;
    (void)Analyze(request, &response, milliseconds(30000));
  });
  ASSERT_TRUE(Eventually([&] { return FakeStats(fake_->grpc_port()).value("in_flight", 0) == 1; }));
  const auto started = Clock::now();
  absl::StatusOr<int> exit_code = service_->Terminate(milliseconds(10000));
  caller.join();
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);
  // drain_timeout_ms=1000, then the hung call is cancelled and its model call abandoned.
  EXPECT_LT(Clock::now() - started, milliseconds(3000));
}

TEST(EnrichmentWithoutModel, UnreachableOllamaFallsBackAndSaysWhy) {
  churn::testing::RefusingPort refusing(/*listen=*/false);
  const std::string dir = FreshDir("unreachable");
  auto service = StartEnrichment(absl::StrCat("http://127.0.0.1:", refusing.port()), dir);
  ASSERT_NE(service, nullptr);
  auto stub = v1::EnrichmentService::NewStub(
      grpc::CreateChannel(service->grpc_target(), grpc::InsecureChannelCredentials()));
  v1::AnalyzeTicketRequest request;
  request.set_subject(kSeedSubject);
  request.set_body(kSeedBody);
  v1::AnalyzeTicketResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + milliseconds(10000));
  ASSERT_TRUE(stub->AnalyzeTicket(&context, request, &response).ok());
  EXPECT_EQ(response.analysis().source(), "fallback");
  EXPECT_TRUE(absl::StartsWith(response.analysis().error(), "model_unavailable: "))
      << response.analysis().error();
  EXPECT_EQ(response.analysis().category(), "billing");
  EXPECT_EQ(response.analysis().sentiment(), "negative");
  EXPECT_TRUE(response.analysis().churn_intent());
  const std::string metrics = HttpGet(service->metrics_port(), "/metrics");
  EXPECT_EQ(MetricValue(metrics, "churn_enrichment_ollama_ready"), 0.0);
  EXPECT_EQ(MetricValue(metrics, "churn_enrichment_requests_total",
                        {"outcome=\"unavailable\"", "source=\"fallback\""}),
            1.0);
}

TEST(EnrichmentWithoutModel, DisabledModelUsesTheFallbackOnly) {
  auto fake = StartFakeOllama();
  ASSERT_NE(fake, nullptr);
  const std::string dir = FreshDir("disabled");
  auto service = StartEnrichment(absl::StrCat("http://127.0.0.1:", fake->grpc_port()), dir,
                                 {"--use_model=false"});
  ASSERT_NE(service, nullptr);
  auto stub = v1::EnrichmentService::NewStub(
      grpc::CreateChannel(service->grpc_target(), grpc::InsecureChannelCredentials()));
  v1::AnalyzeTicketRequest request;
  request.set_subject(kSeedSubject);
  request.set_body(kSeedBody);
  v1::AnalyzeTicketResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + milliseconds(10000));
  ASSERT_TRUE(stub->AnalyzeTicket(&context, request, &response).ok());
  EXPECT_EQ(response.analysis().source(), "fallback");
  EXPECT_EQ(response.analysis().error(), "");
  EXPECT_EQ(response.analysis().category(), "billing");
  EXPECT_TRUE(response.analysis().churn_intent());
  const nlohmann::json stats = FakeStats(fake->grpc_port());
  EXPECT_EQ(stats.value("chat_requests", -1), 0);
  EXPECT_EQ(stats.value("tags_requests", -1), 0);
  EXPECT_FALSE(std::filesystem::exists(dir + "/cache.sqlite"));
}

}  // namespace
}  // namespace churn
