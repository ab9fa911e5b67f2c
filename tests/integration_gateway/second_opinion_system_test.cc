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
#include "integration/gateway_stack.h"
#include "integration/process.h"
#include "integration/run_command.h"
#include "integration/service_probe.h"
#include "testing/scratch_dir.h"
#include "nlohmann/json.hpp"

namespace churn {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

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
    const std::filesystem::path& root = testing::ProgramScratch().path();
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
    const std::string model_flag =
        with_model ? "--model_file=" + Trained().model : std::string("--model_file=");
    // long_views is left at auto: on exactly when ingest has the model.
    absl::Status started = stack_.Start(
        {.data_dir = Trained().data,
         .work_dir = scratch_.path(),
         .ingest_args = {"--watch_interval_ms=0", model_flag},
         .scoring_args = {model_flag},
         .gateway_args = {"--refresh_interval_ms=60000", "--history_backfill_days=0",
                          "--web_root=" + std::string(CHURN_SOURCE_DIR) + "/web"},
         // The gateway's first refresh needs ingest's first snapshot (long views: one more pass).
         .ingest_and_scoring_first = true,
         .timeout = 60s});
    ASSERT_TRUE(started.ok()) << started;
    http_port_ = stack_.http_port();
    gateway_stub_ = v1::GatewayService::NewStub(
        grpc::CreateChannel(stack_.gateway().grpc_target(), grpc::InsecureChannelCredentials()));
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

  const testing::ScratchDir scratch_;
  testing::GatewayStack stack_;
  int http_port_ = 0;
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
