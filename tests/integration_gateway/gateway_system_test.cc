// The whole service set: the real churn-ingest, churn-scoring, churn-enrichment and
// churn-gateway binaries on 127.0.0.1, a data folder written by `churnctl generate`, and the
// gateway driven over gRPC and HTTP. Neighbours are killed, stalled (SIGSTOP) and fed broken
// files to check that the gateway keeps serving its last good views and says how stale they are.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <httplib.h>
#include <sqlite3.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "churn/v1/gateway.grpc.pb.h"
#include "churn/v1/scoring.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/port_reservation.h"
#include "integration/process.h"
#include "integration/run_command.h"
#include "integration/service_probe.h"
#include "nlohmann/json.hpp"
#include "testing/scratch_dir.h"

namespace churn {
namespace {

using ::churn::testing::ServiceProcess;
using ::testing::HasSubstr;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kStartTimeout = 30s;
constexpr auto kConditionTimeout = 30s;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// True once every thread of `pid` is stopped (state T): SIGSTOP has taken effect.
bool AllThreadsStopped(pid_t pid) {
  const std::filesystem::path tasks = absl::StrCat("/proc/", pid, "/task");
  std::error_code error;
  bool any = false;
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    std::string stat = ReadFile(task.path() / "stat");
    // "<tid> (<comm>) <state> ...": the state follows the last ')'.
    const size_t paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size()) return false;
    const char state = stat[paren + 2];
    if (state != 'T' && state != 't') return false;
    any = true;
  }
  return any && !error;
}

std::string Loopback(int port) { return absl::StrCat("127.0.0.1:", port); }


// Written aside and renamed: the ingest watcher never reads half a file.
void ReplaceFile(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
  }
  std::filesystem::rename(tmp, path);
}

// Polls `condition` every 50 ms until it holds or `timeout` passes.
bool PollUntil(const std::function<bool()>& condition,
               std::chrono::milliseconds timeout = kConditionTimeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
}

std::unique_ptr<grpc::ClientContext> Deadline(std::chrono::milliseconds timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  return context;
}

int64_t JsonInt(const nlohmann::json& value) {
  // The protobuf JSON mapping writes int64 as strings.
  return value.is_string() ? std::stoll(value.get<std::string>()) : value.get<int64_t>();
}

// What protobuf's JSON mapping writes for a google.protobuf.Timestamp.
bool IsRfc3339Utc(const std::string& text) {
  static const std::regex kRfc3339Utc(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z)");
  return std::regex_match(text, kRfc3339Utc);
}

absl::Time ParseRfc3339(const std::string& text) {
  absl::Time time = absl::InfinitePast();
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, text, &time, &error)) << text << ": " << error;
  return time;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

std::string LevelName(const std::string& proto_level) {
  if (proto_level == "RISK_LEVEL_HIGH") return "High";
  if (proto_level == "RISK_LEVEL_MEDIUM") return "Medium";
  if (proto_level == "RISK_LEVEL_LOW") return "Low";
  return proto_level;
}

std::string LevelName(v1::RiskLevel level) { return LevelName(v1::RiskLevel_Name(level)); }

// One row of an at-risk list, as compared between the offline CLI and the services.
struct AtRiskRow {
  std::string customer_id;
  int64_t risk_score = 0;
  std::string risk_level;
  std::vector<std::string> reasons;

  bool operator==(const AtRiskRow&) const = default;
};

std::ostream& operator<<(std::ostream& out, const AtRiskRow& row) {
  out << row.customer_id << " " << row.risk_score << " " << row.risk_level << " [";
  for (const std::string& reason : row.reasons) out << reason << "; ";
  return out << "]";
}

// Per process: ctest runs tests in parallel, and other build trees may run them at the same time.
const std::filesystem::path& RunDir() { return churn::testing::ProgramScratch().path(); }

using testing::PortReservation;
using testing::RunCommand;

class GatewaySystemTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    base_data_ = new std::string((RunDir() / "base_data").string());
    std::filesystem::remove_all(*base_data_);
    int exit_code = 0;
    RunCommand(absl::StrCat(CHURNCTL_BINARY, " generate --out ", *base_data_,
                            " --accounts 150 --seed 11 2>&1"),
               &exit_code);
    ASSERT_EQ(exit_code, 0) << "churnctl generate failed";
  }
  static void TearDownTestSuite() {
    delete base_data_;
    base_data_ = nullptr;
  }

  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    work_dir_ = RunDir() / name;
    std::filesystem::remove_all(work_dir_);
    std::filesystem::create_directories(work_dir_);
    data_dir_ = work_dir_ / "data";
    std::filesystem::copy(*base_data_, data_dir_, std::filesystem::copy_options::recursive);
    // A demo ticket text set (no key column: never linked to customers).
    tickets_dir_ = work_dir_ / "tickets";
    std::filesystem::create_directories(tickets_dir_);
    std::ofstream(tickets_dir_ / "demo_tickets.csv")
        << "ticket_id,subject,body\n"
           "D-1,Renewal quote,\"The renewal quote is beyond our budget, we may cancel.\"\n"
           "D-2,Login,We cannot log in since this morning.\n";
    ingest_port_ = ingest_reservation_.port();
    scoring_port_ = scoring_reservation_.port();
    enrichment_port_ = enrichment_reservation_.port();
    http_port_ = http_reservation_.port();
    ASSERT_TRUE(ingest_port_ != 0 && scoring_port_ != 0 && enrichment_port_ != 0 && http_port_ != 0);
  }

  void TearDown() override {
    // A stalled process must run again to be terminated cleanly (SIGKILL works regardless).
    if (ingest_ && ingest_->Running()) ::kill(ingest_->pid(), SIGCONT);
  }

  static absl::StatusOr<std::unique_ptr<ServiceProcess>> StartProcess(
      const std::string& binary, std::vector<std::string> args) {
    ServiceProcess::Options options;
    options.args = std::move(args);
    options.start_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(kStartTimeout);
    return ServiceProcess::Start(binary, std::move(options));
  }

  void StartIngest() {
    auto process = StartProcess(CHURN_INGEST_BINARY,
                                {"--grpc_address=" + Loopback(ingest_port_),
                                 "--metrics_address=127.0.0.1:0",
                                 "--data_dir=" + data_dir_.string(),
                                 "--tickets_dir=" + tickets_dir_.string(),
                                 "--watch_interval_ms=200", "--drain_timeout_ms=1000",
                                 "--log_level=warn"});
    ASSERT_TRUE(process.ok()) << process.status();
    ingest_ = *std::move(process);
  }

  void StartScoring() {
    // An empty rules_file means the built-in rules: the same ones churnctl uses offline.
    auto process = StartProcess(CHURN_SCORING_BINARY,
                                {"--grpc_address=" + Loopback(scoring_port_),
                                 "--metrics_address=127.0.0.1:0", "--rules_file=",
                                 "--drain_timeout_ms=1000", "--log_level=warn"});
    ASSERT_TRUE(process.ok()) << process.status();
    scoring_ = *std::move(process);
  }

  // `model_url` empty: no model, every analysis from the fallback.
  void StartEnrichment(const std::string& model_url = "") {
    auto process = StartProcess(
        CHURN_ENRICHMENT_BINARY,
        {"--grpc_address=" + Loopback(enrichment_port_), "--metrics_address=127.0.0.1:0",
         model_url.empty() ? "--use_model=false" : "--ollama_url=" + model_url, "--warm_up=false",
         "--cache_path=" + (work_dir_ / "enrichment-cache.sqlite").string(),
         "--drain_timeout_ms=1000", "--log_level=warn"});
    ASSERT_TRUE(process.ok()) << process.status();
    enrichment_ = *std::move(process);
  }

  void StartGateway(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "--grpc_address=127.0.0.1:0",
        "--metrics_address=127.0.0.1:0",
        "--http_address=" + Loopback(http_port_),
        "--ingest_address=" + Loopback(ingest_port_),
        "--scoring_address=" + Loopback(scoring_port_),
        "--enrichment_address=" + Loopback(enrichment_port_),
        "--refresh_interval_ms=200",
        "--reconnect_backoff_max_ms=300",
        "--outcomes_db=" + (work_dir_ / "var" / "outcomes.sqlite").string(),
        "--history_db=" + HistoryDb(),
        "--web_root=" + std::string(CHURN_SOURCE_DIR) + "/web",
        "--drain_timeout_ms=2000"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto process = StartProcess(CHURN_GATEWAY_BINARY, std::move(args));
    ASSERT_TRUE(process.ok()) << process.status();
    gateway_ = *std::move(process);
    gateway_stub_ = v1::GatewayService::NewStub(
        grpc::CreateChannel(gateway_->grpc_target(), grpc::InsecureChannelCredentials()));
  }

  std::string HistoryDb() const { return (work_dir_ / "var" / "risk-history.sqlite").string(); }

  // Distinct snapshot dates in the gateway's risk-history file, read directly (-1: unreadable).
  int64_t StoredHistoryDates() const {
    sqlite3* db = nullptr;
    int64_t dates = -1;
    if (sqlite3_open_v2(HistoryDb().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(db, 2000);
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, "SELECT COUNT(DISTINCT day) FROM assessments", -1, &stmt,
                             nullptr) == SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW) {
        dates = sqlite3_column_int64(stmt, 0);
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return dates;
  }

  absl::StatusOr<v1::GetCustomerBriefResponse> Brief(const std::string& customer_id) {
    v1::GetCustomerBriefRequest request;
    request.set_customer_id(customer_id);
    v1::GetCustomerBriefResponse response;
    grpc::Status status = gateway_stub_->GetCustomerBrief(Deadline(5s).get(), request, &response);
    if (!status.ok())
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          status.error_message());
    return response;
  }

  // Every neighbour first, then the gateway, which is SERVING once its first views exist.
  void StartAll(std::vector<std::string> gateway_args = {}) {
    ASSERT_NO_FATAL_FAILURE(StartIngest());
    ASSERT_NO_FATAL_FAILURE(StartScoring());
    ASSERT_NO_FATAL_FAILURE(StartEnrichment());
    ASSERT_NO_FATAL_FAILURE(StartGateway(gateway_args));
    absl::Status serving =
        testing::WaitForServing(gateway_->grpc_target(), std::chrono::milliseconds(kConditionTimeout));
    ASSERT_TRUE(serving.ok()) << serving;
  }

  // A GET of `path` on the HTTP port answers 200 within a second (probes and views under load).
  void ExpectAnswersWithinASecond(const char* path) {
    const auto started = std::chrono::steady_clock::now();
    httplib::Client client = Http();
    httplib::Result result = client.Get(path);
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(result) << path;
    EXPECT_EQ(result->status, 200) << path;
    EXPECT_LT(took, std::chrono::seconds(1))
        << path << " took "
        << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
  }

  httplib::Client Http() {
    httplib::Client client("127.0.0.1", http_port_);
    client.set_connection_timeout(2);
    client.set_read_timeout(20);
    client.set_write_timeout(5);
    return client;
  }

  nlohmann::json GetJson(const std::string& path, int expected_status = 200) {
    httplib::Client client = Http();
    httplib::Result result = client.Get(path);
    if (!result) {
      ADD_FAILURE() << "GET " << path << ": " << httplib::to_string(result.error());
      return nullptr;
    }
    EXPECT_EQ(result->status, expected_status) << path << ": " << result->body;
    EXPECT_THAT(result->get_header_value("Content-Type"), HasSubstr("application/json")) << path;
    return nlohmann::json::parse(result->body, nullptr, /*allow_exceptions=*/false);
  }

  absl::StatusOr<v1::GetExecutiveResponse> Executive() {
    v1::GetExecutiveResponse response;
    grpc::Status status =
        gateway_stub_->GetExecutive(Deadline(5s).get(), v1::GetExecutiveRequest(), &response);
    if (!status.ok()) return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                                          status.error_message());
    return response;
  }

  // The offline reference: `churnctl score --format json` on the same folder.
  std::vector<AtRiskRow> OfflineAtRisk() {
    int exit_code = 0;
    std::string output = RunCommand(
        absl::StrCat(CHURNCTL_BINARY, " score --data ", data_dir_.string(), " --format json"),
        &exit_code);
    EXPECT_EQ(exit_code, 0);
    std::vector<AtRiskRow> rows;
    nlohmann::json list = nlohmann::json::parse(output, nullptr, false);
    EXPECT_TRUE(list.is_array()) << output.substr(0, 500);
    if (!list.is_array()) return rows;
    for (const nlohmann::json& item : list) {
      rows.push_back({item["customer_id"].get<std::string>(), item["risk_score"].get<int64_t>(),
                      item["risk_level"].get<std::string>(),
                      item["reasons"].get<std::vector<std::string>>()});
    }
    return rows;
  }

  std::vector<AtRiskRow> GrpcAtRisk() {
    std::vector<AtRiskRow> rows;
    v1::ListAtRiskRequest request;
    request.set_page_size(100);
    for (int page = 0; page < 1000; ++page) {
      v1::ListAtRiskResponse response;
      grpc::Status status = gateway_stub_->ListAtRisk(Deadline(10s).get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const v1::ScoredCustomer& customer : response.customers()) {
        const v1::RiskAssessment& a = customer.assessment();
        rows.push_back({customer.signals().customer_id(), a.risk_score(),
                        LevelName(a.risk_level()),
                        std::vector<std::string>(a.reasons().begin(), a.reasons().end())});
      }
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return rows;
  }

  std::vector<AtRiskRow> HttpAtRisk() {
    std::vector<AtRiskRow> rows;
    int64_t total = 1;
    for (int64_t offset = 0; offset < total;) {
      nlohmann::json page = GetJson(absl::StrCat("/api/v1/at-risk?limit=70&offset=", offset));
      if (!page.is_object() || page["customers"].empty()) break;
      total = JsonInt(page["total_matched"]);
      for (const nlohmann::json& customer : page["customers"]) {
        const nlohmann::json& a = customer["assessment"];
        rows.push_back({customer["signals"]["customer_id"].get<std::string>(),
                        JsonInt(a["risk_score"]), LevelName(a["risk_level"].get<std::string>()),
                        a["reasons"].get<std::vector<std::string>>()});
      }
      offset += static_cast<int64_t>(page["customers"].size());
    }
    return rows;
  }

  static std::string* base_data_;
  std::filesystem::path work_dir_;
  std::filesystem::path data_dir_;
  std::filesystem::path tickets_dir_;
  PortReservation ingest_reservation_;
  PortReservation scoring_reservation_;
  PortReservation enrichment_reservation_;
  PortReservation http_reservation_;
  int ingest_port_ = 0;
  int scoring_port_ = 0;
  int enrichment_port_ = 0;
  int http_port_ = 0;
  std::unique_ptr<ServiceProcess> ingest_;
  std::unique_ptr<ServiceProcess> scoring_;
  std::unique_ptr<ServiceProcess> enrichment_;
  std::unique_ptr<ServiceProcess> gateway_;
  std::unique_ptr<v1::GatewayService::Stub> gateway_stub_;
};

std::string* GatewaySystemTest::base_data_ = nullptr;

TEST_F(GatewaySystemTest, AtRiskListEqualsOfflineScoreOverGrpcAndHttp) {
  ASSERT_NO_FATAL_FAILURE(StartAll());
  const std::vector<AtRiskRow> offline = OfflineAtRisk();
  ASSERT_GT(offline.size(), 100u);

  const std::vector<AtRiskRow> over_grpc = GrpcAtRisk();
  ASSERT_EQ(over_grpc.size(), offline.size());
  for (size_t i = 0; i < offline.size(); ++i) {
    ASSERT_EQ(over_grpc[i], offline[i]) << "gRPC row " << i;
  }
  const std::vector<AtRiskRow> over_http = HttpAtRisk();
  ASSERT_EQ(over_http.size(), offline.size());
  for (size_t i = 0; i < offline.size(); ++i) {
    ASSERT_EQ(over_http[i], offline[i]) << "HTTP row " << i;
  }

  // The other views agree with the list and say they are fresh.
  absl::StatusOr<v1::GetExecutiveResponse> executive = Executive();
  ASSERT_TRUE(executive.ok()) << executive.status();
  EXPECT_EQ(executive->customers(), static_cast<int64_t>(offline.size()));
  EXPECT_EQ(executive->freshness().snapshot_version(), 1);
  EXPECT_FALSE(executive->freshness().stale());
  EXPECT_TRUE(executive->freshness().last_error().empty());
  EXPECT_FALSE(executive->freshness().rules_sha256().empty());
  int64_t high = 0;
  for (const AtRiskRow& row : offline) high += row.risk_level == "High";
  EXPECT_EQ(executive->high_risk_customers(), high);

  nlohmann::json http_executive = GetJson("/api/v1/executive");
  EXPECT_EQ(JsonInt(http_executive["customers"]), static_cast<int64_t>(offline.size()));
  EXPECT_EQ(http_executive["freshness"]["stale"], false);
  // Timestamps travel as RFC 3339 UTC text in JSON, the same instant as over gRPC.
  ASSERT_TRUE(http_executive["freshness"]["as_of"].is_string()) << http_executive.dump();
  EXPECT_TRUE(IsRfc3339Utc(http_executive["freshness"]["as_of"].get<std::string>()))
      << http_executive["freshness"]["as_of"];
  EXPECT_EQ(ParseRfc3339(http_executive["freshness"]["as_of"].get<std::string>()),
            FromTimestamp(executive->freshness().as_of()));
  nlohmann::json drivers = GetJson("/api/v1/drivers?segment=country");
  EXPECT_EQ(drivers["segment"], "country");
  EXPECT_FALSE(drivers["plan_tiers"].empty());
  EXPECT_FALSE(drivers["segments"].empty());

  // Filters and sort reach the list: High only, largest ARR first.
  nlohmann::json high_page = GetJson("/api/v1/at-risk?risk_level=high&sort=-arr&limit=1000");
  EXPECT_EQ(JsonInt(high_page["total_matched"]), high);
  double previous_arr = 1e300;
  for (const nlohmann::json& customer : high_page["customers"]) {
    EXPECT_EQ(customer["assessment"]["risk_level"], "RISK_LEVEL_HIGH");
    EXPECT_LE(customer["signals"]["arr"].get<double>(), previous_arr);
    previous_arr = customer["signals"]["arr"].get<double>();
  }
  nlohmann::json bad_sort = GetJson("/api/v1/at-risk?sort=revenue", 400);
  EXPECT_EQ(bad_sort["code"], "INVALID_ARGUMENT");
  EXPECT_THAT(bad_sort["error"].get<std::string>(), HasSubstr("sort"));

  // The brief of the riskiest customer carries the agent actions.
  nlohmann::json brief = GetJson("/api/v1/customers/" + offline[0].customer_id);
  EXPECT_EQ(brief["customer"]["signals"]["customer_id"], offline[0].customer_id);
  EXPECT_FALSE(brief["checklist"].empty());
  EXPECT_EQ(JsonInt(brief["checklist"][0]["step"]), 1);
  EXPECT_FALSE(brief["outreach"]["email_subject"].get<std::string>().empty());
  EXPECT_THAT(brief["outreach"]["slack_message"].get<std::string>(),
              HasSubstr(absl::StrCat(offline[0].risk_score, "/100")));
  EXPECT_EQ(GetJson("/api/v1/customers/NO-SUCH-CUSTOMER", 404)["code"], "NOT_FOUND");
  // Text that is not UTF-8: quoted safely from a path, refused in a query; never a 500.
  EXPECT_EQ(GetJson("/api/v1/customers/%FF%FE", 404)["code"], "NOT_FOUND");
  EXPECT_EQ(GetJson("/api/v1/outcomes?customer_id=%FF", 400)["code"], "INVALID_ARGUMENT");

  // Exports: the whole filtered list, spreadsheet-safe CSV.
  httplib::Client client = Http();
  httplib::Result csv = client.Get("/api/v1/export/at-risk.csv?risk_level=high");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200);
  EXPECT_THAT(csv->get_header_value("Content-Type"), HasSubstr("text/csv"));
  EXPECT_EQ(std::count(csv->body.begin(), csv->body.end(), '\n'), high + 1);
  httplib::Result playbooks = client.Get("/api/v1/export/playbooks.csv?risk_level=high");
  ASSERT_TRUE(playbooks);
  EXPECT_EQ(playbooks->status, 200);
  EXPECT_THAT(playbooks->body, HasSubstr("email_subject"));

  // Domain metrics on both the metrics port and the HTTP port.
  absl::StatusOr<std::string> metrics = testing::ScrapeMetrics(gateway_->metrics_port());
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ(testing::SumSamples(*metrics, "churn_gateway_customers_scored", {{"level", "high"}}),
            static_cast<double>(high));
  EXPECT_EQ(testing::SumSamples(*metrics, "churn_gateway_snapshot_version"), 1.0);
  EXPECT_GE(testing::SumSamples(*metrics, "churn_gateway_refresh_total", {{"result", "updated"}})
                .value_or(0),
            1.0);
  EXPECT_TRUE(testing::SumSamples(*metrics, "grpc_server_handled_total",
                                  {{"grpc_method", "ListAtRisk"}, {"grpc_code", "OK"}})
                  .has_value());
  httplib::Result http_metrics = client.Get("/metrics");
  ASSERT_TRUE(http_metrics);
  EXPECT_THAT(http_metrics->body, HasSubstr("churn_gateway_arr_at_risk{level=\"high\"}"));

  // The dashboard's files.
  httplib::Result index = client.Get("/");
  ASSERT_TRUE(index);
  if (std::filesystem::exists(std::string(CHURN_SOURCE_DIR) + "/web/index.html")) {
    EXPECT_EQ(index->status, 200);
    EXPECT_THAT(index->get_header_value("Content-Type"), HasSubstr("text/html"));
  } else {
    EXPECT_EQ(index->status, 404);
  }
  httplib::Result missing = client.Get("/static/no-such-file.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(GatewaySystemTest, NotServingUntilTheFirstViewsThenServing) {
  // Ingest is not running yet: the gateway can build nothing.
  ASSERT_NO_FATAL_FAILURE(StartScoring());
  ASSERT_NO_FATAL_FAILURE(StartEnrichment());
  ASSERT_NO_FATAL_FAILURE(StartGateway());

  EXPECT_EQ(testing::HealthStatus(gateway_->grpc_target()).value_or("?"), "NOT_SERVING");
  // /readyz says why once a refresh attempt has failed; health stays NOT_SERVING meanwhile.
  std::string reason;
  ASSERT_TRUE(PollUntil([&] {
    httplib::Client client = Http();
    httplib::Result result = client.Get("/readyz");
    if (!result || result->status != 503) return false;
    reason = result->body;
    return absl::StrContains(reason, "ingest");
  })) << reason;
  EXPECT_THAT(reason, HasSubstr("UNAVAILABLE"));
  EXPECT_EQ(testing::HealthStatus(gateway_->grpc_target()).value_or("?"), "NOT_SERVING");
  absl::StatusOr<v1::GetExecutiveResponse> early = Executive();
  EXPECT_EQ(early.status().code(), absl::StatusCode::kUnavailable);
  httplib::Client client = Http();
  httplib::Result healthz = client.Get("/healthz");  // the process itself is up
  ASSERT_TRUE(healthz);
  EXPECT_EQ(healthz->status, 200);

  ASSERT_NO_FATAL_FAILURE(StartIngest());
  absl::Status serving = testing::WaitForServing(gateway_->grpc_target(),
                                                 std::chrono::milliseconds(kConditionTimeout));
  ASSERT_TRUE(serving.ok()) << serving;
  EXPECT_EQ(testing::HealthStatus(gateway_->grpc_target(),
                                  v1::GatewayService::service_full_name())
                .value_or("?"),
            "SERVING");
  nlohmann::json ready = GetJson("/readyz");
  EXPECT_EQ(JsonInt(ready["snapshot_version"]), 1);
  EXPECT_TRUE(Executive().ok());
}

// A browser keeps its connection open: answers after the first must not wait for its delayed
// ACK (Nagle on a head and a body written separately costs 40 ms per answer on Linux).
TEST_F(GatewaySystemTest, KeptAliveConnectionAnswersWithoutDelayedAckStalls) {
  ASSERT_NO_FATAL_FAILURE(StartGateway());  // /healthz answers without the neighbours
  httplib::Client client = Http();
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);  // as browsers do: only the server's side is under test
  std::vector<double> took_ms;
  for (int i = 0; i < 21; ++i) {
    const auto started = Clock::now();
    httplib::Result result = client.Get("/healthz");
    ASSERT_TRUE(result) << httplib::to_string(result.error());
    ASSERT_EQ(result->status, 200);
    ASSERT_FALSE(result->body.empty());  // a body: a second write after the head
    took_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
  }
  std::sort(took_ms.begin(), took_ms.end());
  EXPECT_LT(took_ms[took_ms.size() / 2], 25.0)
      << "median over one kept-alive connection; fastest " << took_ms.front() << " ms";
}

TEST_F(GatewaySystemTest, KilledScoringLeavesStaleViewsServedAndRecovers) {
  ASSERT_NO_FATAL_FAILURE(StartAll());
  absl::StatusOr<v1::GetExecutiveResponse> before = Executive();
  ASSERT_TRUE(before.ok()) << before.status();

  ASSERT_EQ(::kill(scoring_->pid(), SIGKILL), 0);
  ASSERT_TRUE(scoring_->WaitForExit(10s).ok());

  // A refresh needs scoring: it fails, and says so.
  v1::RefreshResponse refreshed;
  grpc::Status refresh =
      gateway_stub_->Refresh(Deadline(10s).get(), v1::RefreshRequest(), &refreshed);
  EXPECT_EQ(refresh.error_code(), grpc::StatusCode::UNAVAILABLE) << refresh.error_message();
  EXPECT_THAT(refresh.error_message(), HasSubstr("scoring"));

  // The views are still served, flagged stale with the error.
  absl::StatusOr<v1::GetExecutiveResponse> during = Executive();
  ASSERT_TRUE(during.ok()) << during.status();
  EXPECT_EQ(during->customers(), before->customers());
  EXPECT_TRUE(during->freshness().stale());
  EXPECT_THAT(during->freshness().last_error(), HasSubstr("scoring"));
  EXPECT_EQ(during->freshness().snapshot_version(), before->freshness().snapshot_version());
  nlohmann::json http_during = GetJson("/api/v1/at-risk?limit=5");
  EXPECT_EQ(http_during["freshness"]["stale"], true);
  EXPECT_EQ(http_during["customers"].size(), 5u);

  // Scoring comes back on the same address: the gateway recovers by itself.
  ASSERT_NO_FATAL_FAILURE(StartScoring());
  ASSERT_TRUE(PollUntil([&] {
    absl::StatusOr<v1::GetExecutiveResponse> now = Executive();
    return now.ok() && !now->freshness().stale() && now->freshness().last_error().empty();
  }));
  refresh = gateway_stub_->Refresh(Deadline(10s).get(), v1::RefreshRequest(), &refreshed);
  EXPECT_TRUE(refresh.ok()) << refresh.error_message();
  EXPECT_FALSE(refreshed.freshness().stale());
  EXPECT_EQ(refreshed.snapshot().version(), before->freshness().snapshot_version());
}

TEST_F(GatewaySystemTest, StalledIngestGivesDeadlineExceededWhileViewsStayServed) {
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_EQ(::kill(ingest_->pid(), SIGSTOP), 0);
  ASSERT_TRUE(PollUntil([&] { return AllThreadsStopped(ingest_->pid()); }, 5s));

  // The caller's deadline travels downstream: the gateway gives up on ingest in time and
  // answers DEADLINE_EXCEEDED instead of hanging.
  const auto start = Clock::now();
  v1::RefreshResponse refreshed;
  grpc::Status refresh =
      gateway_stub_->Refresh(Deadline(1500ms).get(), v1::RefreshRequest(), &refreshed);
  const auto elapsed = Clock::now() - start;
  EXPECT_EQ(refresh.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << refresh.error_message();
  EXPECT_LT(elapsed, 3s);

  // Meanwhile every view answers at once from the last good data.
  absl::StatusOr<v1::GetExecutiveResponse> during = Executive();
  ASSERT_TRUE(during.ok()) << during.status();
  EXPECT_GT(during->customers(), 0);
  ASSERT_TRUE(PollUntil([&] {
    absl::StatusOr<v1::GetExecutiveResponse> now = Executive();
    return now.ok() && now->freshness().stale() &&
           absl::StrContains(now->freshness().last_error(), "ingest");
  })) << "the stalled ingest never showed up as staleness";

  ASSERT_EQ(::kill(ingest_->pid(), SIGCONT), 0);
  ASSERT_TRUE(PollUntil([&] {
    absl::StatusOr<v1::GetExecutiveResponse> now = Executive();
    return now.ok() && !now->freshness().stale();
  }));
  refresh = gateway_stub_->Refresh(Deadline(10s).get(), v1::RefreshRequest(), &refreshed);
  EXPECT_TRUE(refresh.ok()) << refresh.error_message();
}

TEST_F(GatewaySystemTest, AnalysesOfASlowModelNeverTakeTheCapacityOfViewsAndProbes) {
  // A model that accepts every request and never answers (the fake hangs on the ticket's marker).
  auto model = ServiceProcess::Start(FAKE_OLLAMA_BINARY, std::vector<std::string>{});
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_NO_FATAL_FAILURE(StartIngest());
  ASSERT_NO_FATAL_FAILURE(StartScoring());
  ASSERT_NO_FATAL_FAILURE(StartEnrichment(absl::StrCat("http://127.0.0.1:", (*model)->grpc_port())));
  ASSERT_NO_FATAL_FAILURE(StartGateway({"--http_max_analyses=4"}));
  ASSERT_TRUE(testing::WaitForServing(gateway_->grpc_target(),
                                      std::chrono::milliseconds(kConditionTimeout)).ok());

  // 40 people press "Analyze" at once.
  constexpr int kAnalyses = 40;
  std::atomic<int> refused{0};
  std::atomic<int> admitted{0};
  std::vector<std::thread> people;
  for (int i = 0; i < kAnalyses; ++i) {
    people.emplace_back([&] {
      httplib::Client client = Http();
      client.set_read_timeout(30);
      httplib::Result result = client.Post(
          "/api/v1/tickets/analyze",
          R"({"text": "We are going to cancel. [[fake:hang]]", "timeout_ms": 4000})",
          "application/json");
      if (!result) {
        ADD_FAILURE() << "no answer: " << httplib::to_string(result.error());
        return;
      }
      if (result->status == 429 && !result->get_header_value("Retry-After").empty()) {
        ++refused;
      } else {
        ++admitted;
      }
    });
  }
  // While the admitted ones wait for the model, the views and probes answer at once.
  std::this_thread::sleep_for(300ms);
  for (int round = 0; round < 5; ++round) {
    for (const char* path : {"/readyz", "/api/v1/executive", "/healthz"}) {
      ASSERT_NO_FATAL_FAILURE(ExpectAnswersWithinASecond(path));
    }
    std::this_thread::sleep_for(200ms);
  }
  for (std::thread& person : people) person.join();
  EXPECT_EQ(admitted.load(), 4);
  EXPECT_EQ(refused.load(), kAnalyses - 4);
}

int ThreadsOf(pid_t pid) {
  int count = 0;
  std::error_code error;
  for (std::filesystem::directory_iterator it(absl::StrCat("/proc/", pid, "/task"), error), end;
       !error && it != end; it.increment(error)) {
    ++count;
  }
  return count;
}

// 40 analyses in flight at once over gRPC (not admission-limited like the HTTP port) against a
// model that never answers: the views and probes still answer at once, and no service starts a
// thread per call. Each service's work runs on its fixed executor (worker_threads, started with
// the service), so its thread count may only move by what gRPC itself adds.
TEST_F(GatewaySystemTest, FortyAnalysesOfAModelThatNeverAnswersLeaveViewsFastAndThreadsBounded) {
  constexpr int kAnalyses = 40;
  constexpr int kThreadGrowthBound = 6;  // gRPC's own pollers and timers, whatever the load
  auto model = ServiceProcess::Start(FAKE_OLLAMA_BINARY, std::vector<std::string>{});
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_NO_FATAL_FAILURE(StartIngest());
  ASSERT_NO_FATAL_FAILURE(StartScoring());
  ASSERT_NO_FATAL_FAILURE(
      StartEnrichment(absl::StrCat("http://127.0.0.1:", (*model)->grpc_port())));
  ASSERT_NO_FATAL_FAILURE(StartGateway());
  ASSERT_TRUE(
      testing::WaitForServing(gateway_->grpc_target(), std::chrono::milliseconds(kConditionTimeout))
          .ok());
  // Warm every path once (channels connected, views built) before counting.
  ASSERT_TRUE(Executive().ok());
  {
    v1::AnalyzeTicketTextRequest warm;
    warm.set_text("Warm-up ticket: the export button fails.");
    v1::AnalyzeTicketTextResponse ignored;
    ASSERT_TRUE(gateway_stub_->AnalyzeTicketText(Deadline(10s).get(), warm, &ignored).ok());
  }
  const std::vector<std::pair<std::string, pid_t>> services = {{"ingest", ingest_->pid()},
                                                               {"scoring", scoring_->pid()},
                                                               {"enrichment", enrichment_->pid()},
                                                               {"gateway", gateway_->pid()}};
  std::map<std::string, int> before;
  for (const auto& [name, pid] : services) before[name] = ThreadsOf(pid);

  std::atomic<int> answered{0};
  std::atomic<int> fallback{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kAnalyses; ++i) {
    callers.emplace_back([&, i] {
      v1::AnalyzeTicketTextRequest request;
      request.set_text(absl::StrCat("Ticket ", i, ": we will cancel next month. [[fake:hang]]"));
      request.set_timeout_ms(4000);
      v1::AnalyzeTicketTextResponse response;
      grpc::Status status =
          gateway_stub_->AnalyzeTicketText(Deadline(15s).get(), request, &response);
      if (!status.ok()) {
        ADD_FAILURE() << "analysis " << i << ": " << status.error_message();
        return;
      }
      ++answered;
      if (response.analysis().source() == "fallback") ++fallback;
    });
  }
  std::this_thread::sleep_for(500ms);
  std::map<std::string, int> most = before;
  for (int round = 0; round < 5; ++round) {
    for (const char* path : {"/readyz", "/api/v1/executive"}) {
      ASSERT_NO_FATAL_FAILURE(ExpectAnswersWithinASecond(path));
    }
    for (const auto& [name, pid] : services) most[name] = std::max(most[name], ThreadsOf(pid));
    std::this_thread::sleep_for(200ms);
  }
  for (std::thread& caller : callers) caller.join();
  // Every ticket still got an analysis: the fallback's, as the model never answered.
  EXPECT_EQ(answered.load(), kAnalyses);
  EXPECT_EQ(fallback.load(), kAnalyses);
  for (const auto& [name, pid] : services) {
    std::cout << name << " threads: " << before[name] << " idle, at most " << most[name] << " with "
              << kAnalyses << " analyses in flight\n";
    EXPECT_LE(most[name], before[name] + kThreadGrowthBound) << name;
  }
}

TEST_F(GatewaySystemTest, NoticesARestartedIngestEvenWhenItsVersionNumberRepeats) {
  ASSERT_NO_FATAL_FAILURE(StartAll());
  absl::StatusOr<v1::GetExecutiveResponse> before = Executive();
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_EQ(before->freshness().snapshot_version(), 1);

  // Ingest comes back (a redeploy) on other data: its first snapshot is version 1 again.
  absl::StatusOr<int> exit_code = ingest_->Terminate(10s);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  ingest_.reset();
  data_dir_ = work_dir_ / "other_data";
  int generated = 0;
  RunCommand(absl::StrCat(CHURNCTL_BINARY, " generate --out ", data_dir_.string(),
                          " --accounts 40 --seed 5 2>&1"),
             &generated);
  ASSERT_EQ(generated, 0);
  ASSERT_NO_FATAL_FAILURE(StartIngest());

  absl::StatusOr<v1::GetExecutiveResponse> after;
  ASSERT_TRUE(PollUntil([&] {
    after = Executive();
    return after.ok() && after->customers() != before->customers() && !after->freshness().stale();
  })) << (after.ok() ? after->DebugString() : after.status().ToString());
  EXPECT_EQ(after->freshness().snapshot_version(), 1);
  EXPECT_EQ(GrpcAtRisk(), OfflineAtRisk());
}

TEST_F(GatewaySystemTest, BrokenDataFileIsReportedAndAFixedFileIsServed) {
  ASSERT_NO_FATAL_FAILURE(StartAll());
  absl::StatusOr<v1::GetExecutiveResponse> before = Executive();
  ASSERT_TRUE(before.ok()) << before.status();
  const int64_t first_version = before->freshness().snapshot_version();

  const std::filesystem::path subscriptions = data_dir_ / "subscriptions.csv";
  const std::string original = ReadFile(subscriptions);
  ASSERT_FALSE(original.empty());
  ReplaceFile(subscriptions, "subscription_id,account_id\nS-broken,A-1\n");

  // Ingest rejects the file and keeps its snapshot; the gateway surfaces ingest's error.
  absl::StatusOr<v1::GetExecutiveResponse> during;
  ASSERT_TRUE(PollUntil([&] {
    during = Executive();
    return during.ok() && absl::StrContains(during->freshness().last_error(), "subscriptions");
  })) << (during.ok() ? during->freshness().last_error() : during.status().ToString());
  EXPECT_TRUE(during->freshness().stale());
  EXPECT_EQ(during->freshness().snapshot_version(), first_version);
  EXPECT_EQ(during->customers(), before->customers());
  nlohmann::json http_during = GetJson("/api/v1/executive");
  EXPECT_THAT(http_during["freshness"]["last_error"].get<std::string>(),
              HasSubstr("subscriptions"));

  // A fixed file (one subscription fewer) becomes a new snapshot, and new views.
  std::string fixed = original;
  while (!fixed.empty() && fixed.back() == '\n') fixed.pop_back();
  fixed = fixed.substr(0, fixed.rfind('\n') + 1);
  ReplaceFile(subscriptions, fixed);
  absl::StatusOr<v1::GetExecutiveResponse> after;
  ASSERT_TRUE(PollUntil([&] {
    after = Executive();
    return after.ok() && after->freshness().snapshot_version() > first_version &&
           !after->freshness().stale();
  }));
  EXPECT_TRUE(after->freshness().last_error().empty());
  EXPECT_EQ(after->customers(), before->customers() - 1);
  const std::vector<AtRiskRow> offline = OfflineAtRisk();
  EXPECT_EQ(GrpcAtRisk(), offline);
}

TEST_F(GatewaySystemTest, PageTokensAreRefusedAfterANewSnapshotAndWithOtherFilters) {
  ASSERT_NO_FATAL_FAILURE(StartAll());
  // Page 1 over gRPC and over HTTP, each with a token for page 2.
  v1::ListAtRiskRequest request;
  request.set_page_size(10);
  request.add_risk_levels(v1::RISK_LEVEL_LOW);
  request.add_risk_levels(v1::RISK_LEVEL_MEDIUM);
  v1::ListAtRiskResponse first;
  grpc::Status status = gateway_stub_->ListAtRisk(Deadline(10s).get(), request, &first);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_FALSE(first.next_page_token().empty());
  const std::string filters = "/api/v1/at-risk?risk_level=low,medium&limit=10";
  nlohmann::json http_first = GetJson(filters);
  ASSERT_TRUE(http_first["next_page_token"].is_string()) << http_first.dump().substr(0, 300);
  const std::string http_token = http_first["next_page_token"].get<std::string>();

  // Same snapshot, same filters: page 2 follows page 1.
  request.set_page_token(first.next_page_token());
  v1::ListAtRiskResponse second;
  status = gateway_stub_->ListAtRisk(Deadline(10s).get(), request, &second);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(second.offset(), 10);
  nlohmann::json http_second = GetJson(filters + "&page_token=" + http_token);
  EXPECT_EQ(JsonInt(http_second["offset"]), 10);

  // Other filters or sort with that token: 400 / INVALID_ARGUMENT, not a shifted page.
  nlohmann::json other_filters =
      GetJson("/api/v1/at-risk?risk_level=high&limit=10&page_token=" + http_token, 400);
  EXPECT_EQ(other_filters["code"], "INVALID_ARGUMENT");
  EXPECT_THAT(other_filters["error"].get<std::string>(), HasSubstr("other filters or sort"));
  nlohmann::json other_sort = GetJson(filters + "&sort=-arr&page_token=" + http_token, 400);
  EXPECT_THAT(other_sort["error"].get<std::string>(), HasSubstr("other filters or sort"));
  v1::ListAtRiskRequest other_request = request;
  other_request.set_min_arr(1);
  v1::ListAtRiskResponse refused;
  status = gateway_stub_->ListAtRisk(Deadline(10s).get(), other_request, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // A new snapshot (one subscription fewer) replaces the views: the tokens of the old ones are
  // refused, saying so.
  const int64_t first_version = first.freshness().snapshot_version();
  const std::filesystem::path subscriptions = data_dir_ / "subscriptions.csv";
  std::string fewer = ReadFile(subscriptions);
  while (!fewer.empty() && fewer.back() == '\n') fewer.pop_back();
  fewer = fewer.substr(0, fewer.rfind('\n') + 1);
  ReplaceFile(subscriptions, fewer);
  ASSERT_TRUE(PollUntil([&] {
    absl::StatusOr<v1::GetExecutiveResponse> now = Executive();
    return now.ok() && now->freshness().snapshot_version() > first_version;
  }));
  status = gateway_stub_->ListAtRisk(Deadline(10s).get(), request, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              HasSubstr("page token is from an older snapshot; start from the first page"));
  nlohmann::json stale = GetJson(filters + "&page_token=" + http_token, 400);
  EXPECT_EQ(stale["code"], "INVALID_ARGUMENT");
  EXPECT_THAT(stale["error"].get<std::string>(),
              HasSubstr("page token is from an older snapshot; start from the first page"));
  // Starting over works, with tokens of the new views.
  nlohmann::json restarted = GetJson(filters);
  EXPECT_EQ(JsonInt(restarted["offset"]), 0);
  ASSERT_TRUE(restarted["next_page_token"].is_string());
  GetJson(filters + "&page_token=" + restarted["next_page_token"].get<std::string>());
}

TEST_F(GatewaySystemTest, OutcomeLoggedOverHttpSurvivesAGatewayRestart) {
  ASSERT_NO_FATAL_FAILURE(StartAll());
  const std::string customer = OfflineAtRisk().at(0).customer_id;
  {
    httplib::Client client = Http();
    httplib::Result posted = client.Post(
        "/api/v1/customers/" + customer + "/outcomes",
        R"({"kind": "OUTCOME_KIND_MEETING_SCHEDULED", "notes": "QBR on Tuesday"})",
        "application/json");
    ASSERT_TRUE(posted);
    ASSERT_EQ(posted->status, 201) << posted->body;
    // Who recorded it is the caller's identity, never a claim of the body.
    httplib::Result claimed = client.Post(
        "/api/v1/customers/" + customer + "/outcomes",
        R"({"kind": "OUTCOME_KIND_CONTACTED", "recorded_by": "someone-else"})", "application/json");
    ASSERT_TRUE(claimed);
    EXPECT_EQ(claimed->status, 400) << claimed->body;
    nlohmann::json outcome = nlohmann::json::parse(posted->body)["outcome"];
    EXPECT_EQ(outcome["kind"], "OUTCOME_KIND_MEETING_SCHEDULED");
    ASSERT_TRUE(outcome["recorded_at"].is_string()) << outcome.dump();
    EXPECT_TRUE(IsRfc3339Utc(outcome["recorded_at"].get<std::string>())) << outcome["recorded_at"];
    const absl::Time recorded_at = ParseRfc3339(outcome["recorded_at"].get<std::string>());
    EXPECT_LE(absl::AbsDuration(recorded_at - absl::Now()), absl::Minutes(1));
    EXPECT_EQ(outcome["customer_id"], customer);
    // The short name works too; an unknown kind does not.
    posted = client.Post("/api/v1/customers/" + customer + "/outcomes",
                         R"({"kind": "no_response"})", "application/json");
    ASSERT_TRUE(posted);
    EXPECT_EQ(posted->status, 201) << posted->body;
    posted = client.Post("/api/v1/customers/" + customer + "/outcomes", R"({"kind": "ghosted"})",
                         "application/json");
    ASSERT_TRUE(posted);
    EXPECT_EQ(posted->status, 400) << posted->body;
  }

  absl::StatusOr<int> exit_code = gateway_->Terminate(10s);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);
  gateway_.reset();
  ASSERT_NO_FATAL_FAILURE(StartGateway());
  absl::Status serving = testing::WaitForServing(gateway_->grpc_target(),
                                                 std::chrono::milliseconds(kConditionTimeout));
  ASSERT_TRUE(serving.ok()) << serving;

  nlohmann::json brief = GetJson("/api/v1/customers/" + customer);
  ASSERT_EQ(brief["outcomes"].size(), 2u);
  EXPECT_EQ(brief["outcomes"][0]["kind"], "OUTCOME_KIND_NO_RESPONSE");  // newest first
  EXPECT_EQ(brief["outcomes"][1]["kind"], "OUTCOME_KIND_MEETING_SCHEDULED");
  EXPECT_EQ(brief["outcomes"][1]["notes"], "QBR on Tuesday");
  // No tokens file in this test: the local, unauthenticated caller.
  EXPECT_EQ(brief["outcomes"][1]["recorded_by"], "anonymous");

  v1::ListOutcomesRequest request;
  request.set_customer_id(customer);
  v1::ListOutcomesResponse listed;
  grpc::Status status = gateway_stub_->ListOutcomes(Deadline(5s).get(), request, &listed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(listed.outcomes_size(), 2);
  EXPECT_EQ(listed.outcomes(1).notes(), "QBR on Tuesday");
}

// The risk history: backfilled from past as-of dates on first start, updated by every snapshot,
// served as trends, movements and level moves, and read back from its SQLite file after a
// restart that does no backfill (so the past can only come from the file).
TEST_F(GatewaySystemTest, RiskHistoryIsBackfilledServedAndSurvivesAGatewayRestart) {
  ASSERT_NO_FATAL_FAILURE(
      StartAll({"--history_backfill_days=28", "--history_backfill_pause_ms=0"}));
  // The live snapshot (E) and the four weeks before it.
  ASSERT_TRUE(PollUntil([&] { return StoredHistoryDates() == 5; }, kConditionTimeout))
      << "stored dates: " << StoredHistoryDates();

  absl::StatusOr<v1::GetExecutiveResponse> executive;
  ASSERT_TRUE(PollUntil(
      [&] {
        executive = Executive();
        return executive.ok() && executive->has_level_moves();
      },
      kConditionTimeout));
  const std::string window_end = executive->freshness().usage_window_end();
  const absl::Time end_day = ParseRfc3339(window_end + "T00:00:00Z");
  const auto day_before = [&](int days) {
    return absl::FormatTime("%Y-%m-%d", end_day - absl::Hours(24 * days), absl::UTCTimeZone());
  };
  EXPECT_EQ(executive->level_moves().to_date(), window_end);
  EXPECT_EQ(executive->level_moves().from_date(), day_before(7));

  // Sorted by score change: every row carries its movement, consistent with its trend.
  v1::ListAtRiskRequest request;
  request.set_sort_by(v1::AT_RISK_SORT_FIELD_SCORE_CHANGE_30D);
  request.set_descending(true);
  request.set_page_size(1000);
  v1::ListAtRiskResponse listed;
  grpc::Status status = gateway_stub_->ListAtRisk(Deadline(10s).get(), request, &listed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(listed.movements_size(), listed.customers_size());
  ASSERT_GT(listed.customers_size(), 0);
  int64_t moved_up = 0, moved_down = 0;
  std::optional<int> previous_change;
  std::map<std::string, std::vector<v1::RiskTrendPoint>> trends;
  for (int i = 0; i < listed.customers_size(); ++i) {
    const v1::ScoredCustomer& customer = listed.customers(i);
    const v1::RiskMovement& movement = listed.movements(i);
    const std::string& id = customer.signals().customer_id();
    absl::StatusOr<v1::GetCustomerBriefResponse> brief = Brief(id);
    ASSERT_TRUE(brief.ok()) << brief.status();
    std::vector<v1::RiskTrendPoint> trend(brief->risk_trend().begin(), brief->risk_trend().end());
    ASSERT_FALSE(trend.empty()) << id;
    EXPECT_TRUE(std::is_sorted(trend.begin(), trend.end(), [](const auto& a, const auto& b) {
      return a.date() < b.date();
    })) << id;
    // The latest point is today's score.
    EXPECT_EQ(trend.back().date(), window_end) << id;
    EXPECT_EQ(trend.back().risk_score(), customer.assessment().risk_score()) << id;
    EXPECT_EQ(trend.back().risk_level(), customer.assessment().risk_level()) << id;
    // The 30-day change is against the oldest snapshot within 30 days: E-28.
    const v1::RiskTrendPoint* baseline = nullptr;
    const v1::RiskTrendPoint* week_before = nullptr;
    for (const v1::RiskTrendPoint& point : trend) {
      if (point.date() == day_before(28)) baseline = &point;
      if (point.date() == day_before(7)) week_before = &point;
    }
    ASSERT_EQ(movement.has_score_change_30d(), baseline != nullptr) << id;
    if (baseline != nullptr) {
      EXPECT_EQ(movement.score_change_30d(), trend.back().risk_score() - baseline->risk_score())
          << id;
      // Descending, customers without a change last.
      if (previous_change) {
        EXPECT_LE(movement.score_change_30d(), *previous_change) << id;
      }
      previous_change = movement.score_change_30d();
    }
    const bool high_now = trend.back().risk_level() == v1::RISK_LEVEL_HIGH;
    EXPECT_EQ(
        movement.entered_high(),
        high_now && (week_before == nullptr || week_before->risk_level() != v1::RISK_LEVEL_HIGH))
        << id;
    if (week_before != nullptr && trend.back().risk_level() > week_before->risk_level()) ++moved_up;
    if (week_before != nullptr && trend.back().risk_level() < week_before->risk_level())
      ++moved_down;
    trends[id] = std::move(trend);
  }
  EXPECT_EQ(executive->level_moves().moved_up(), moved_up);
  EXPECT_EQ(executive->level_moves().moved_down(), moved_down);
  // The generated data moves: some customers have a past at all.
  EXPECT_GT(std::count_if(trends.begin(), trends.end(),
                          [](const auto& entry) { return entry.second.size() > 1; }),
            0);

  // The filters over HTTP: entered High only, and a minimum change.
  nlohmann::json entered = GetJson("/api/v1/at-risk?entered_high=true&limit=1000");
  for (const nlohmann::json& movement : entered["movements"]) {
    EXPECT_EQ(movement["entered_high"], true) << movement.dump();
  }
  nlohmann::json rising = GetJson("/api/v1/at-risk?min_score_change_30d=1&limit=1000");
  for (const nlohmann::json& movement : rising["movements"]) {
    EXPECT_GE(JsonInt(movement["score_change_30d"]), 1) << movement.dump();
  }
  EXPECT_THAT(GetJson("/api/v1/at-risk?min_score_change_30d=lots", 400)["error"].get<std::string>(),
              HasSubstr("min_score_change_30d"));

  // Restart without backfill: the past points can only come from the file.
  absl::StatusOr<int> exit_code = gateway_->Terminate(10s);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);
  gateway_.reset();
  ASSERT_NO_FATAL_FAILURE(StartGateway({"--history_backfill_days=0"}));
  absl::Status serving = testing::WaitForServing(gateway_->grpc_target(),
                                                 std::chrono::milliseconds(kConditionTimeout));
  ASSERT_TRUE(serving.ok()) << serving;
  EXPECT_EQ(StoredHistoryDates(), 5);
  int compared = 0;
  for (const auto& [id, before] : trends) {
    if (++compared > 20) break;
    absl::StatusOr<v1::GetCustomerBriefResponse> brief = Brief(id);
    ASSERT_TRUE(brief.ok()) << brief.status();
    ASSERT_EQ(brief->risk_trend_size(), static_cast<int>(before.size())) << id;
    for (size_t i = 0; i < before.size(); ++i) {
      EXPECT_EQ(brief->risk_trend(static_cast<int>(i)).date(), before[i].date()) << id;
      EXPECT_EQ(brief->risk_trend(static_cast<int>(i)).risk_score(), before[i].risk_score()) << id;
    }
  }
  absl::StatusOr<v1::GetExecutiveResponse> after = Executive();
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->level_moves().moved_up(), moved_up);
  EXPECT_EQ(after->level_moves().moved_down(), moved_down);
}

TEST_F(GatewaySystemTest, AnUnusableRiskHistoryNeverBlocksTheViews) {
  // A folder where the history file should be: it can neither be opened nor written.
  std::filesystem::create_directories(HistoryDb());
  ASSERT_NO_FATAL_FAILURE(
      StartAll({"--history_backfill_days=28", "--history_backfill_pause_ms=0"}));
  const std::string customer = OfflineAtRisk().at(0).customer_id;
  absl::StatusOr<v1::GetCustomerBriefResponse> brief = Brief(customer);
  ASSERT_TRUE(brief.ok()) << brief.status();
  EXPECT_EQ(brief->customer().signals().customer_id(), customer);
  EXPECT_EQ(brief->risk_trend_size(), 0);
  EXPECT_THAT(brief->risk_trend_error(), HasSubstr("cannot be read"));
  absl::StatusOr<v1::GetExecutiveResponse> executive = Executive();
  ASSERT_TRUE(executive.ok()) << executive.status();
  EXPECT_GT(executive->customers(), 0);
  EXPECT_FALSE(executive->has_level_moves());
  ExpectAnswersWithinASecond("/api/v1/at-risk?sort=-score_change_30d");
  // Once the obstacle is gone the next snapshot is stored, without a restart.
  std::filesystem::remove(HistoryDb());
  v1::RefreshResponse refreshed;
  grpc::Status status =
      gateway_stub_->Refresh(Deadline(30s).get(), v1::RefreshRequest(), &refreshed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(PollUntil([&] { return StoredHistoryDates() >= 1; }, kConditionTimeout));
}

const char kRenewalTicketSubject[] = "Renewal quote";
const char kRenewalTicketBody[] =
    "The renewal quote is far beyond our budget. We may have to downgrade or cancel.";

TEST_F(GatewaySystemTest, TicketAnalyzerForwardsToEnrichmentAndFallsBackWhenItIsDown) {
  ASSERT_NO_FATAL_FAILURE(StartAll());
  v1::AnalyzeTicketTextRequest request;
  request.set_subject(kRenewalTicketSubject);
  request.set_body(kRenewalTicketBody);
  request.set_ticket_id("T-1");

  v1::AnalyzeTicketTextResponse through_enrichment;
  grpc::Status status =
      gateway_stub_->AnalyzeTicketText(Deadline(10s).get(), request, &through_enrichment);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(through_enrichment.analysis().churn_intent());
  EXPECT_EQ(through_enrichment.analysis().ticket_id(), "T-1");
  EXPECT_THAT(through_enrichment.analysis().error(), ::testing::Not(HasSubstr("enrichment_")));

  // An uploaded set streams one message per ticket with the progress.
  const std::string csv =
      "ticket_id,subject,body\n"
      "T-1,Renewal quote,\"The renewal quote is beyond our budget, we may cancel.\"\n"
      "T-2,Login,We cannot log in since this morning.\n"
      "T-3,Thanks,Great onboarding session yesterday!\n";
  v1::AnalyzeTicketSetRequest set_request;
  set_request.set_csv_upload(csv);
  set_request.set_file_name("pasted.csv");
  auto read_all = [&](std::vector<v1::AnalyzeTicketSetResponse>* messages) {
    auto context = Deadline(30s);
    auto reader = gateway_stub_->AnalyzeTicketSet(context.get(), set_request);
    v1::AnalyzeTicketSetResponse message;
    while (reader->Read(&message)) messages->push_back(message);
    return reader->Finish();
  };
  std::vector<v1::AnalyzeTicketSetResponse> messages;
  status = read_all(&messages);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].text_columns(), "subject + body");
  for (size_t i = 0; i < messages.size(); ++i) {
    EXPECT_EQ(messages[i].done(), static_cast<int>(i) + 1);
    EXPECT_EQ(messages[i].total(), 3);
  }

  // A set from ingest's tickets folder, over HTTP: listed, then analysed as NDJSON progress.
  {
    nlohmann::json sets = GetJson("/api/v1/tickets/sets");
    ASSERT_EQ(sets["sets"].size(), 1u) << sets.dump();
    const std::string name = sets["sets"][0]["name"].get<std::string>();
    EXPECT_EQ(sets["sets"][0]["linked"], false);
    httplib::Client client = Http();
    httplib::Result streamed =
        client.Post("/api/v1/tickets/sets/" + name + "/analyze", R"({"limit": 5})",
                    "application/json");
    ASSERT_TRUE(streamed);
    ASSERT_EQ(streamed->status, 200) << streamed->body;
    std::vector<nlohmann::json> lines;
    std::istringstream body(streamed->body);
    for (std::string line; std::getline(body, line);) {
      if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
    }
    ASSERT_EQ(lines.size(), 2u) << streamed->body;
    EXPECT_EQ(lines[0]["total"], 2);
    EXPECT_EQ(lines[1]["done"], 2);
    EXPECT_EQ(lines[0]["linked"], false);
    httplib::Result unknown = client.Post("/api/v1/tickets/sets/no-such-set/analyze", "{}",
                                          "application/json");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404) << unknown->body;
  }

  // Enrichment goes away: the gateway answers from the rule-based fallback, labelled.
  ASSERT_EQ(::kill(enrichment_->pid(), SIGKILL), 0);
  ASSERT_TRUE(enrichment_->WaitForExit(10s).ok());
  v1::AnalyzeTicketTextResponse fallback;
  status = gateway_stub_->AnalyzeTicketText(Deadline(10s).get(), request, &fallback);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(fallback.analysis().source(), "fallback");
  EXPECT_THAT(fallback.analysis().error(), HasSubstr("enrichment_unavailable"));
  EXPECT_TRUE(fallback.analysis().churn_intent());
  EXPECT_EQ(fallback.analysis().category(), "billing");
  EXPECT_EQ(fallback.analysis().sentiment(), "negative");

  httplib::Client client = Http();
  httplib::Result over_http = client.Post(
      "/api/v1/tickets/analyze",
      nlohmann::json{{"subject", kRenewalTicketSubject}, {"body", kRenewalTicketBody}}.dump(),
      "application/json");
  ASSERT_TRUE(over_http);
  ASSERT_EQ(over_http->status, 200) << over_http->body;
  nlohmann::json analysis = nlohmann::json::parse(over_http->body)["analysis"];
  EXPECT_EQ(analysis["source"], "fallback");
  EXPECT_EQ(analysis["churn_intent"], true);
  httplib::Result empty = client.Post("/api/v1/tickets/analyze", "{}", "application/json");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 400);
  // The enrichment service's internal switches are not part of the gateway's request.
  httplib::Result internal = client.Post(
      "/api/v1/tickets/analyze",
      nlohmann::json{{"text", kRenewalTicketBody}, {"bypass_cache", true}}.dump(),
      "application/json");
  ASSERT_TRUE(internal);
  EXPECT_EQ(internal->status, 400) << internal->body;
  EXPECT_THAT(internal->body, HasSubstr("bypass_cache"));

  messages.clear();
  status = read_all(&messages);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(messages.size(), 3u);
  for (const v1::AnalyzeTicketSetResponse& message : messages) {
    EXPECT_EQ(message.result().source(), "fallback");
    EXPECT_THAT(message.result().error(), HasSubstr("enrichment_unavailable"));
  }
  EXPECT_EQ(messages.back().done(), 3);

  // The HTTP form streams NDJSON lines.
  httplib::Result ndjson = client.Post("/api/v1/tickets/upload/analyze?file_name=pasted.csv",
                                       csv, "text/csv");
  ASSERT_TRUE(ndjson);
  ASSERT_EQ(ndjson->status, 200) << ndjson->body;
  EXPECT_THAT(ndjson->get_header_value("Content-Type"), HasSubstr("ndjson"));
  std::vector<nlohmann::json> lines;
  std::istringstream body(ndjson->body);
  for (std::string line; std::getline(body, line);) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2]["done"], 3);
  EXPECT_EQ(lines[0]["text_columns"], "subject + body");
}

// Driver labels live in the rules file: reloading scoring with a file that renames a rule
// changes what the gateway's Drivers view says after the next refresh, over gRPC and HTTP.
TEST_F(GatewaySystemTest, DriverLabelsFollowTheRulesInForce) {
  ASSERT_NO_FATAL_FAILURE(StartAll());
  auto labels = [&] {
    std::map<std::string, std::string> by_rule;
    v1::GetDriversResponse drivers;
    grpc::Status status =
        gateway_stub_->GetDrivers(Deadline(5s).get(), v1::GetDriversRequest(), &drivers);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const v1::DriverCount& driver : drivers.drivers()) by_rule[driver.rule()] = driver.label();
    return by_rule;
  };
  std::map<std::string, std::string> before = labels();
  ASSERT_TRUE(before.contains("usage_drop")) << "the generated data has usage drops";
  EXPECT_EQ(before["usage_drop"], "Usage drop");

  std::ifstream file(std::string(CHURN_SOURCE_DIR) + "/config/scoring.yaml");
  std::string yaml((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const std::string from = "label: \"Usage drop\"";
  ASSERT_NE(yaml.find(from), std::string::npos);
  yaml.replace(yaml.find(from), from.size(), "label: \"Usage collapse\"");
  auto scoring = v1::ScoringService::NewStub(
      grpc::CreateChannel(Loopback(scoring_port_), grpc::InsecureChannelCredentials()));
  v1::ReloadRulesRequest reload;
  reload.set_yaml(yaml);
  v1::ReloadRulesResponse reloaded;
  grpc::Status status = scoring->ReloadRules(Deadline(5s).get(), reload, &reloaded);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(reloaded.changed());

  v1::RefreshResponse refreshed;
  status = gateway_stub_->Refresh(Deadline(10s).get(), v1::RefreshRequest(), &refreshed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(refreshed.freshness().rules_sha256(), reloaded.rules().sha256());
  std::map<std::string, std::string> after = labels();
  EXPECT_EQ(after["usage_drop"], "Usage collapse");
  EXPECT_EQ(after["support_load"], before["support_load"]) << "other labels unchanged";
  nlohmann::json http = GetJson("/api/v1/drivers");
  bool seen = false;
  for (const nlohmann::json& driver : http["drivers"]) {
    if (driver["rule"] == "usage_drop") {
      EXPECT_EQ(driver["label"], "Usage collapse");
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace churn
