// The trained model's last mile over the real binaries on loopback: ingest with a model file
// computes long views and backtests the model beside the rules, scoring with the same file gives
// its second opinion, and the gateway shows both: the customer brief (gRPC and HTTP JSON) with
// the probability `churnctl explain --model` gives, and GetModelQuality with the model's figures.
// Without a model nothing of it appears, and nothing fails.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <httplib.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "churn/v1/gateway.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/port_reservation.h"
#include "integration/process.h"
#include "integration/run_command.h"
#include "integration/service_probe.h"
#include "nlohmann/json.hpp"

namespace churn {
namespace {

using ::churn::testing::ServiceProcess;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

std::string Loopback(int port) { return absl::StrCat("127.0.0.1:", port); }

std::unique_ptr<grpc::ClientContext> Deadline(std::chrono::milliseconds timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  return context;
}

struct TrainedFolder {
  std::string data;
  std::string model;
};

// Planted data and a model trained on it (labels up to 2024-09-30), once per test program.
const TrainedFolder& Trained() {
  static const TrainedFolder* folder = [] {
    const std::filesystem::path root = std::filesystem::path(::testing::TempDir()) /
                                       absl::StrCat("churn_second_opinion_", ::getpid());
    auto* f = new TrainedFolder{(root / "data").string(), (root / "model.json").string()};
    int code = -1;
    testing::RunCommand(absl::StrCat(CHURNCTL_BINARY,
                                     " generate --mode planted --accounts 400 --history-days 365"
                                     " --end-date 2024-12-31 --out ",
                                     f->data, " 2>&1"),
                        &code);
    EXPECT_EQ(code, 0);
    const std::string out = testing::RunCommand(
        absl::StrCat(CHURNCTL_BINARY, " train --data ", f->data,
                     " --from 2024-04-01 --to 2024-08-01 --step-days 30 --horizon-days 60"
                     " --rounds 30 --out ",
                     f->model, " 2>&1"),
        &code);
    EXPECT_EQ(code, 0) << out;
    return f;
  }();
  return *folder;
}

double ChurnctlProbability(const std::string& customer_id) {
  int code = -1;
  const std::string out = testing::RunCommand(
      absl::StrCat(CHURNCTL_BINARY, " explain --data ", Trained().data, " --model ",
                   Trained().model, " --format json ", customer_id),
      &code);
  EXPECT_EQ(code, 0) << out;
  const nlohmann::json json = nlohmann::json::parse(out, nullptr, false);
  if (json.is_discarded() || !json["model_opinion"].is_object()) {
    ADD_FAILURE() << out;
    return -1;
  }
  return json["model_opinion"]["churn_probability"].get<double>();
}

// Out of sample for the model above: as-of dates after 2024-09-30 whose 60 days are known.
v1::GetModelQualityRequest OutOfSampleWindow() {
  v1::GetModelQualityRequest request;
  request.mutable_window()->set_from("2024-10-01");
  request.mutable_window()->set_to("2024-10-31");
  request.mutable_window()->set_step_days(30);
  request.mutable_window()->set_horizon_days(60);
  return request;
}

class SecondOpinionSystemTest : public ::testing::Test {
 protected:
  void StartStack(bool with_model) {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    work_dir_ = std::filesystem::path(::testing::TempDir()) /
                absl::StrCat("second_opinion_system_", ::getpid()) / name;
    std::filesystem::remove_all(work_dir_);
    std::filesystem::create_directories(work_dir_);
    const std::string model_flag =
        with_model ? "--model_file=" + Trained().model : std::string("--model_file=");
    const int ingest_port = ingest_reservation_.port(), scoring_port = scoring_reservation_.port(),
              enrichment_port = enrichment_reservation_.port();
    http_port_ = http_reservation_.port();
    // long_views is left at auto: on exactly when ingest has the model.
    ASSERT_NO_FATAL_FAILURE(Start(&ingest_, CHURN_INGEST_BINARY,
                                  {"--grpc_address=" + Loopback(ingest_port),
                                   "--data_dir=" + Trained().data, "--watch_interval_ms=0",
                                   model_flag}));
    ASSERT_NO_FATAL_FAILURE(Start(
        &scoring_, CHURN_SCORING_BINARY,
        {"--grpc_address=" + Loopback(scoring_port), "--rules_file=", model_flag}));
    // The gateway's first refresh needs ingest's first snapshot (long views: one more pass).
    for (const int port : {ingest_port, scoring_port}) {
      absl::Status ready = testing::WaitForServing(Loopback(port), 60s);
      ASSERT_TRUE(ready.ok()) << ready;
    }
    ASSERT_NO_FATAL_FAILURE(
        Start(&enrichment_, CHURN_ENRICHMENT_BINARY,
              {"--grpc_address=" + Loopback(enrichment_port), "--use_model=false",
               "--warm_up=false", "--cache_path=" + (work_dir_ / "cache.sqlite").string()}));
    ASSERT_NO_FATAL_FAILURE(Start(
        &gateway_, CHURN_GATEWAY_BINARY,
        {"--grpc_address=127.0.0.1:0", "--http_address=" + Loopback(http_port_),
         "--ingest_address=" + Loopback(ingest_port), "--scoring_address=" + Loopback(scoring_port),
         "--enrichment_address=" + Loopback(enrichment_port), "--refresh_interval_ms=60000",
         "--history_backfill_days=0",
         "--outcomes_db=" + (work_dir_ / "outcomes.sqlite").string(),
         "--history_db=" + (work_dir_ / "risk-history.sqlite").string(),
         "--web_root=" + std::string(CHURN_SOURCE_DIR) + "/web"}));
    absl::Status serving = testing::WaitForServing(gateway_->grpc_target(), 60s);
    ASSERT_TRUE(serving.ok()) << serving;
    gateway_stub_ = v1::GatewayService::NewStub(
        grpc::CreateChannel(gateway_->grpc_target(), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(work_dir_, ignored);
  }

  void Start(std::unique_ptr<ServiceProcess>* process, const std::string& binary,
             std::vector<std::string> args) {
    auto started = ServiceProcess::StartQuiet(binary, std::move(args), 60s);
    ASSERT_TRUE(started.ok()) << started.status();
    *process = *std::move(started);
  }

  // The first `count` customers of the at-risk list.
  std::vector<std::string> TopCustomers(int count) {
    v1::ListAtRiskRequest request;
    request.set_page_size(count);
    v1::ListAtRiskResponse response;
    grpc::Status status = gateway_stub_->ListAtRisk(Deadline(10s).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> ids;
    for (const v1::ScoredCustomer& c : response.customers()) {
      ids.push_back(c.signals().customer_id());
    }
    return ids;
  }

  nlohmann::json GetJson(const std::string& path) {
    httplib::Client client("127.0.0.1", http_port_);
    client.set_read_timeout(120);
    httplib::Result result = client.Get(path);
    EXPECT_TRUE(result) << path;
    if (!result) return nullptr;
    EXPECT_EQ(result->status, 200) << path << ": " << result->body;
    return nlohmann::json::parse(result->body, nullptr, false);
  }

  std::filesystem::path work_dir_;
  testing::PortReservation ingest_reservation_, scoring_reservation_, enrichment_reservation_,
      http_reservation_;
  int http_port_ = 0;
  std::unique_ptr<ServiceProcess> ingest_, scoring_, enrichment_, gateway_;
  std::unique_ptr<v1::GatewayService::Stub> gateway_stub_;
};

TEST_F(SecondOpinionSystemTest, BriefCarriesTheModelsOpinionAndModelQualityItsFigures) {
  ASSERT_NO_FATAL_FAILURE(StartStack(/*with_model=*/true));
  const std::vector<std::string> customers = TopCustomers(3);
  ASSERT_EQ(customers.size(), 3u);
  for (const std::string& id : customers) {
    SCOPED_TRACE(id);
    v1::GetCustomerBriefRequest request;
    request.set_customer_id(id);
    v1::GetCustomerBriefResponse brief;
    grpc::Status status = gateway_stub_->GetCustomerBrief(Deadline(10s).get(), request, &brief);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_TRUE(brief.has_second_opinion());
    const v1::ModelOpinion& opinion = brief.second_opinion();
    EXPECT_EQ(opinion.label(), "second opinion (trained model)");
    EXPECT_EQ(opinion.horizon_days(), 60);
    EXPECT_NEAR(opinion.churn_probability(), ChurnctlProbability(id), 1e-9);
    ASSERT_GT(opinion.top_contributions_size(), 0);
    for (const v1::FeatureContribution& c : opinion.top_contributions()) {
      EXPECT_FALSE(c.sentence().empty()) << c.feature();
    }
    // The rules stay the ranking: the customer's score is the rules' as before.
    EXPECT_GT(brief.customer().assessment().risk_score(), 0);

    // The dashboard's HTTP JSON: the same opinion.
    const nlohmann::json http = GetJson("/api/v1/customers/" + id);
    ASSERT_TRUE(http["second_opinion"].is_object()) << http.dump();
    EXPECT_DOUBLE_EQ(http["second_opinion"]["churn_probability"].get<double>(),
                     opinion.churn_probability());
    EXPECT_EQ(http["second_opinion"]["top_contributions"][0]["sentence"],
              opinion.top_contributions(0).sentence());
  }

  // The Model quality tab's "rules against the model": ingest evaluated the model out of sample.
  v1::GetModelQualityResponse quality;
  grpc::Status status =
      gateway_stub_->GetModelQuality(Deadline(120s).get(), OutOfSampleWindow(), &quality);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const auto& report = quality.backtest().fields();
  ASSERT_TRUE(report.at("model").has_struct_value()) << quality.backtest().DebugString();
  const auto& model = report.at("model").struct_value().fields();
  EXPECT_GT(model.at("roc_auc").number_value(), 0.5);  // planted churn: better than chance
  EXPECT_TRUE(model.at("roc_auc_ci95").has_list_value());
  EXPECT_TRUE(model.at("pr_auc").has_number_value());
  EXPECT_TRUE(model.at("precision_high").has_number_value() ||
              model.at("precision_high").has_null_value());
  EXPECT_THAT(report.at("model_note").string_value(), HasSubstr("Out of sample"));

  // A window within the model's training labels: the rules alone, no error.
  v1::GetModelQualityRequest in_sample;
  in_sample.mutable_window()->set_from("2024-05-01");
  in_sample.mutable_window()->set_to("2024-07-01");
  in_sample.mutable_window()->set_horizon_days(60);
  v1::GetModelQualityResponse rules_only;
  status = gateway_stub_->GetModelQuality(Deadline(120s).get(), in_sample, &rules_only);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(rules_only.backtest().fields().at("model").has_null_value());
}

TEST_F(SecondOpinionSystemTest, WithoutAModelNoSecondOpinionAndNoError) {
  ASSERT_NO_FATAL_FAILURE(StartStack(/*with_model=*/false));
  const std::vector<std::string> customers = TopCustomers(1);
  ASSERT_EQ(customers.size(), 1u);
  v1::GetCustomerBriefRequest request;
  request.set_customer_id(customers[0]);
  v1::GetCustomerBriefResponse brief;
  grpc::Status status = gateway_stub_->GetCustomerBrief(Deadline(10s).get(), request, &brief);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(brief.has_second_opinion());
  const nlohmann::json http = GetJson("/api/v1/customers/" + customers[0]);
  EXPECT_FALSE(http.contains("second_opinion")) << http.dump();

  v1::GetModelQualityResponse quality;
  status = gateway_stub_->GetModelQuality(Deadline(120s).get(), OutOfSampleWindow(), &quality);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(quality.backtest().fields().at("model").has_null_value());
}

}  // namespace
}  // namespace churn
