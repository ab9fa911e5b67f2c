// The analyst's loop over the real binaries on loopback: ingest backtests the rules on the data
// folder's history, the gateway shows it (GetModelQuality), tries candidate rules (WhatIfRules:
// scoring's dry run over today's customers and ingest's backtest of both rule sets) and puts
// them in force (ApplyRules), after which the views are scored with them.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <httplib.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "churn/v1/gateway.grpc.pb.h"
#include "churn/v1/ingest.grpc.pb.h"
#include "churn/v1/scoring.grpc.pb.h"
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

std::string RulesYaml() {
  std::ifstream file(std::string(CHURN_SOURCE_DIR) + "/config/scoring.yaml");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The rules file with the High level starting at `high_min` instead of 60.
std::string WithHighFrom(int high_min) {
  std::string yaml = RulesYaml();
  const std::string from = "high_min: 60";
  EXPECT_NE(yaml.find(from), std::string::npos);
  yaml.replace(yaml.find(from), from.size(), absl::StrCat("high_min: ", high_min));
  return yaml;
}

class ModelQualitySystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string data = (scratch_ / "data").string();
    int exit_code = 0;
    testing::RunCommand(
        absl::StrCat(CHURNCTL_BINARY, " generate --out ", data, " --accounts 150 --seed 11 2>&1"),
        &exit_code);
    ASSERT_EQ(exit_code, 0) << "churnctl generate failed";
    absl::Status started =
        stack_.Start({.data_dir = data,
                      .work_dir = scratch_.path(),
                      .ingest_args = {"--watch_interval_ms=0"},
                      .scoring_args = {},
                      .gateway_args = {"--refresh_interval_ms=60000",
                                       "--web_root=" + std::string(CHURN_SOURCE_DIR) + "/web"},
                      .timeout = 30s});
    ASSERT_TRUE(started.ok()) << started;
    http_port_ = stack_.http_port();
    gateway_stub_ = v1::GatewayService::NewStub(
        grpc::CreateChannel(stack_.gateway().grpc_target(), grpc::InsecureChannelCredentials()));
    ingest_stub_ = v1::IngestService::NewStub(
        grpc::CreateChannel(stack_.ingest().grpc_target(), grpc::InsecureChannelCredentials()));
  }

  httplib::Result Post(const std::string& path, const nlohmann::json& body) {
    httplib::Client client("127.0.0.1", http_port_);
    client.set_read_timeout(120);
    return client.Post(path, body.dump(), "application/json");
  }

  nlohmann::json Get(const std::string& path) {
    httplib::Client client("127.0.0.1", http_port_);
    client.set_read_timeout(120);
    httplib::Result result = client.Get(path);
    EXPECT_TRUE(result) << path;
    if (!result) return nullptr;
    EXPECT_EQ(result->status, 200) << path << ": " << result->body;
    return nlohmann::json::parse(result->body, nullptr, false);
  }

  // customer id -> risk score, over every page of the at-risk list.
  std::map<std::string, int64_t> Scores() {
    std::map<std::string, int64_t> scores;
    v1::ListAtRiskRequest request;
    request.set_page_size(1000);
    for (int page = 0; page < 100; ++page) {
      v1::ListAtRiskResponse response;
      grpc::Status status = gateway_stub_->ListAtRisk(Deadline(10s).get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const v1::ScoredCustomer& c : response.customers()) {
        scores[c.signals().customer_id()] = c.assessment().risk_score();
      }
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return scores;
  }

  const testing::ScratchDir scratch_;
  testing::GatewayStack stack_;
  int http_port_ = 0;
  std::unique_ptr<v1::GatewayService::Stub> gateway_stub_;
  std::unique_ptr<v1::IngestService::Stub> ingest_stub_;
};

TEST_F(ModelQualitySystemTest, IngestBacktestsRulesOnTheSnapshotWithDefaultsAndCompares) {
  v1::BacktestRequest request;
  v1::BacktestResponse response;
  grpc::Status status = ingest_stub_->Backtest(Deadline(60s).get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("rules_yaml: required"));

  request.set_rules_yaml("version: 1\nrules: 3\n");
  status = ingest_stub_->Backtest(Deadline(60s).get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("rules_yaml"));

  request.set_rules_yaml(RulesYaml());
  request.set_to("2024-13-01");
  status = ingest_stub_->Backtest(Deadline(60s).get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("to: expected a date"));

  request.clear_to();
  status = ingest_stub_->Backtest(Deadline(60s).get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.step_days(), 30);
  EXPECT_EQ(response.horizon_days(), 90);
  EXPECT_GT(response.snapshot().version(), 0);
  const auto& report = response.report().fields();
  EXPECT_GT(report.at("rows").number_value(), 0);
  EXPECT_EQ(report.at("as_of_dates").list_value().values_size(), 13);  // a year every 30 days
  // The last as-of date is the horizon before the data's end: every label is known.
  const auto& dates = report.at("as_of_dates").list_value().values();
  EXPECT_EQ(dates[dates.size() - 1].struct_value().fields().at("as_of").string_value(),
            response.to());
  EXPECT_TRUE(report.at("model").has_null_value());
  EXPECT_FALSE(response.has_comparison());

  // A baseline: both reports and their comparison; the same rules compare as unchanged.
  request.set_baseline_rules_yaml(RulesYaml());
  request.set_rules_yaml(WithHighFrom(40));
  v1::BacktestResponse compared;
  status = ingest_stub_->Backtest(Deadline(60s).get(), request, &compared);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(compared.baseline_report().fields().at("base_rate").number_value(),
            report.at("base_rate").number_value());
  EXPECT_TRUE(compared.comparison().fields().at("same_rows").bool_value());
  bool saw_high_recall = false;
  for (const auto& metric : compared.comparison().fields().at("metrics").list_value().values()) {
    const auto& m = metric.struct_value().fields();
    if (m.at("metric").string_value() != "recall_high") continue;
    saw_high_recall = true;
    // A lower bar for High flags at least as many rows: recall cannot fall.
    EXPECT_GE(m.at("candidate").number_value(), m.at("current").number_value());
  }
  EXPECT_TRUE(saw_high_recall);
}

TEST_F(ModelQualitySystemTest, WhatIfListsWhoChangesLevelAndApplyRescoresTheViews) {
  // The backtest of the rules in force, over gRPC and HTTP alike.
  v1::GetModelQualityResponse quality;
  grpc::Status status =
      gateway_stub_->GetModelQuality(Deadline(60s).get(), v1::GetModelQualityRequest(), &quality);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(quality.rules_yaml().empty(), false);
  EXPECT_GT(quality.backtest().fields().at("rule_firing").list_value().values_size(), 0);
  nlohmann::json http = Get("/api/v1/model-quality");
  ASSERT_TRUE(http.is_object());
  EXPECT_DOUBLE_EQ(http["backtest"]["base_rate"].get<double>(),
                   quality.backtest().fields().at("base_rate").number_value());
  EXPECT_TRUE(http["backtest"]["model"].is_null());
  EXPECT_EQ(http["window"]["step_days"], 30);

  // What if High started at 40: exactly today's customers scoring 40..59 move up to High.
  const std::map<std::string, int64_t> before = Scores();
  int64_t expected_moves = 0;
  for (const auto& [id, score] : before) expected_moves += score >= 40 && score < 60;
  ASSERT_GT(expected_moves, 0) << "the generated data has Medium customers from 40 up";
  httplib::Result what_if = Post("/api/v1/rules/what-if",
                                 {{"candidate_yaml", WithHighFrom(40)}, {"max_customers", 1000}});
  ASSERT_TRUE(what_if);
  ASSERT_EQ(what_if->status, 200) << what_if->body;
  nlohmann::json result = nlohmann::json::parse(what_if->body);
  EXPECT_EQ(std::stoll(result["summary"]["level_changed"].get<std::string>()), expected_moves);
  ASSERT_EQ(static_cast<int64_t>(result["level_changes"].size()), expected_moves);
  for (const nlohmann::json& row : result["level_changes"]) {
    EXPECT_EQ(row["change"]["level_before"], "RISK_LEVEL_MEDIUM");
    EXPECT_EQ(row["change"]["level_after"], "RISK_LEVEL_HIGH");
    EXPECT_FALSE(row["account_name"].get<std::string>().empty());
  }
  EXPECT_DOUBLE_EQ(result["current_backtest"]["base_rate"].get<double>(),
                   quality.backtest().fields().at("base_rate").number_value());
  EXPECT_FALSE(result["comparison"]["metrics"].empty());
  // Nothing was applied: the views keep their rules and scores.
  EXPECT_EQ(result["freshness"]["rules_sha256"], quality.rules().sha256());

  // Invalid candidate rules are named, not applied.
  httplib::Result broken = Post("/api/v1/rules/what-if", {{"candidate_yaml", "version: 1\n"}});
  ASSERT_TRUE(broken);
  EXPECT_EQ(broken->status, 400) << broken->body;

  // Apply: the rules are in force and the at-risk list already shows the new levels.
  httplib::Result applied = Post("/api/v1/rules/apply", {{"yaml", WithHighFrom(40)}});
  ASSERT_TRUE(applied);
  ASSERT_EQ(applied->status, 200) << applied->body;
  nlohmann::json apply = nlohmann::json::parse(applied->body);
  EXPECT_TRUE(apply["changed"].get<bool>());
  EXPECT_EQ(apply["freshness"]["rules_sha256"], apply["rules"]["sha256"]);
  EXPECT_NE(apply["rules"]["sha256"], quality.rules().sha256());
  v1::ListAtRiskRequest high;
  high.add_risk_levels(v1::RISK_LEVEL_HIGH);
  v1::ListAtRiskResponse listed;
  status = gateway_stub_->ListAtRisk(Deadline(10s).get(), high, &listed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  int64_t expected_high = 0;
  for (const auto& [id, score] : before) expected_high += score >= 40;
  EXPECT_EQ(listed.total_matched(), expected_high);
  EXPECT_EQ(listed.freshness().rules_sha256(), apply["rules"]["sha256"].get<std::string>());

  // Empty rules are not an Apply (scoring would re-read its file).
  v1::ApplyRulesResponse ignored;
  status = gateway_stub_->ApplyRules(Deadline(10s).get(), v1::ApplyRulesRequest(), &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace churn
