#include "model_quality.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "convert/signals_convert.h"
#include "status/status_macros.h"

namespace churn::gateway {
namespace {

void CopyWindow(const v1::BacktestResponse& backtest, v1::BacktestWindow* window) {
  window->set_from(backtest.from());
  window->set_to(backtest.to());
  window->set_step_days(backtest.step_days());
  window->set_horizon_days(backtest.horizon_days());
}

void AddCounts(const v1::LevelCounts& add, v1::LevelCounts* sum) {
  sum->set_low(sum->low() + add.low());
  sum->set_medium(sum->medium() + add.medium());
  sum->set_high(sum->high() + add.high());
}

// The summaries of the dry run's batches as one.
class SummarySum {
 public:
  void Add(const v1::DryRunSummary& part) {
    sum_.set_customers(sum_.customers() + part.customers());
    sum_.set_changed(sum_.changed() + part.changed());
    sum_.set_level_changed(sum_.level_changed() + part.level_changed());
    sum_.set_score_up(sum_.score_up() + part.score_up());
    sum_.set_score_down(sum_.score_down() + part.score_down());
    AddCounts(part.levels_before(), sum_.mutable_levels_before());
    AddCounts(part.levels_after(), sum_.mutable_levels_after());
    for (const v1::LevelTransition& t : part.transitions())
      transitions_[{t.from(), t.to()}] += t.count();
  }
  v1::DryRunSummary Finish() {
    for (const auto& [levels, count] : transitions_) {
      v1::LevelTransition* t = sum_.add_transitions();
      t->set_from(levels.first);
      t->set_to(levels.second);
      t->set_count(count);
    }
    return std::move(sum_);
  }

 private:
  v1::DryRunSummary sum_;
  std::map<std::pair<v1::RiskLevel, v1::RiskLevel>, int64_t> transitions_;
};

}  // namespace

ModelQuality::ModelQuality(ModelQualityOptions options, std::shared_ptr<grpc::Channel> ingest,
                           std::shared_ptr<grpc::Channel> scoring, GatewayApi* api,
                           RefreshOrchestrator* refresher)
    : options_(options),
      ingest_(v1::IngestService::NewStub(std::move(ingest))),
      scoring_(v1::ScoringService::NewStub(std::move(scoring))),
      api_(api),
      refresher_(refresher) {}

absl::StatusOr<v1::GetRulesResponse> ModelQuality::GetRules(const CallScope& scope) {
  std::unique_ptr<grpc::ClientContext> context = scope.NewContext(options_.scoring_deadline);
  v1::GetRulesResponse rules;
  grpc::Status status = scoring_->GetRules(context.get(), v1::GetRulesRequest(), &rules);
  if (!status.ok()) return service::DownstreamError("scoring GetRules", status);
  return rules;
}

absl::StatusOr<v1::BacktestResponse> ModelQuality::Backtest(
    const CallScope& scope, const v1::BacktestWindow& window, const std::string& rules_yaml,
    const std::string& baseline_rules_yaml) {
  v1::BacktestRequest request;
  request.set_rules_yaml(rules_yaml);
  request.set_baseline_rules_yaml(baseline_rules_yaml);
  request.set_from(window.from());
  request.set_to(window.to());
  request.set_step_days(window.step_days());
  request.set_horizon_days(window.horizon_days());
  std::unique_ptr<grpc::ClientContext> context = scope.NewContext(options_.backtest_deadline);
  v1::BacktestResponse response;
  grpc::Status status = ingest_->Backtest(context.get(), request, &response);
  if (!status.ok()) return service::DownstreamError("ingest Backtest", status);
  return response;
}

absl::Status ModelQuality::GetModelQuality(const CallScope& scope,
                                           const v1::GetModelQualityRequest& request,
                                           v1::GetModelQualityResponse* response) {
  CHURN_ASSIGN_OR_RETURN(v1::GetRulesResponse rules, GetRules(scope));
  CHURN_ASSIGN_OR_RETURN(v1::BacktestResponse backtest,
                         Backtest(scope, request.window(), rules.yaml(), ""));
  absl::StatusOr<std::shared_ptr<const viewsets::ViewSet>> views = api_->CurrentViews();
  api_->FillFreshness(views.ok() ? views->get() : nullptr, response->mutable_freshness());
  *response->mutable_rules() = rules.rules();
  response->set_rules_yaml(rules.yaml());
  *response->mutable_snapshot() = backtest.snapshot();
  CopyWindow(backtest, response->mutable_window());
  *response->mutable_backtest() = std::move(*backtest.mutable_report());
  return absl::OkStatus();
}

absl::Status ModelQuality::WhatIfRules(const CallScope& scope,
                                       const v1::WhatIfRulesRequest& request,
                                       v1::WhatIfRulesResponse* response) {
  if (request.candidate_yaml().empty()) {
    return absl::InvalidArgumentError("candidate_yaml: required");
  }
  if (request.max_customers() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_customers: must be >= 0, got ", request.max_customers()));
  }
  const size_t max_customers = static_cast<size_t>(std::min(
      request.max_customers() > 0 ? request.max_customers() : options_.default_max_customers,
      options_.max_customers));
  CHURN_ASSIGN_OR_RETURN(std::shared_ptr<const viewsets::ViewSet> views, api_->CurrentViews());
  CHURN_ASSIGN_OR_RETURN(v1::GetRulesResponse rules, GetRules(scope));

  // Who changes level today: the dry run over every customer of the views, in batches.
  const viewsets::AtRiskRows& customers = views->at_risk();
  SummarySum summary;
  std::vector<v1::CustomerRuleChange> level_changes;
  const size_t batch = static_cast<size_t>(std::max<int64_t>(1, options_.dry_run_batch_size));
  for (size_t begin = 0; begin < customers.size() || begin == 0; begin += batch) {
    v1::DryRunRulesRequest dry_run;
    dry_run.set_candidate_yaml(request.candidate_yaml());
    const size_t end = std::min(customers.size(), begin + batch);
    for (size_t i = begin; i < end; ++i) {
      convert::ToProto(customers[i].signals, dry_run.add_customers());
    }
    std::unique_ptr<grpc::ClientContext> context = scope.NewContext(options_.scoring_deadline);
    v1::DryRunRulesResponse answer;
    grpc::Status status = scoring_->DryRunRules(context.get(), dry_run, &answer);
    if (!status.ok()) return service::DownstreamError("scoring DryRunRules", status);
    if (answer.current_rules().sha256() != rules.rules().sha256()) {
      return absl::AbortedError(
          "the rules in force changed during the what-if; run it again to compare with them");
    }
    if (begin == 0) {
      *response->mutable_current_rules() = answer.current_rules();
      *response->mutable_candidate_rules() = answer.candidate_rules();
    }
    summary.Add(answer.summary());
    for (v1::CustomerRuleChange& change : *answer.mutable_changes()) {
      if (change.level_before() != change.level_after()) level_changes.push_back(std::move(change));
    }
    if (end >= customers.size()) break;
  }
  *response->mutable_summary() = summary.Finish();

  // Largest revenue first: the customers whose move matters most to the team.
  std::vector<v1::WhatIfCustomer> listed;
  for (v1::CustomerRuleChange& change : level_changes) {
    v1::WhatIfCustomer customer;
    if (const reports::ScoredCustomer* known = views->FindCustomer(change.customer_id())) {
      customer.set_account_name(known->signals.account_name);
      customer.set_plan_tier(known->signals.plan_tier);
      customer.set_arr(known->signals.arr);
    }
    *customer.mutable_change() = std::move(change);
    listed.push_back(std::move(customer));
  }
  std::stable_sort(listed.begin(), listed.end(),
                   [](const v1::WhatIfCustomer& a, const v1::WhatIfCustomer& b) {
                     if (a.arr() != b.arr()) return a.arr() > b.arr();
                     return a.change().customer_id() < b.change().customer_id();
                   });
  if (listed.size() > max_customers) listed.resize(max_customers);
  for (v1::WhatIfCustomer& customer : listed) *response->add_level_changes() = std::move(customer);

  // How precision and lift would move: both rule sets backtested on the same history.
  CHURN_ASSIGN_OR_RETURN(v1::BacktestResponse backtest,
                         Backtest(scope, request.window(), request.candidate_yaml(), rules.yaml()));
  CopyWindow(backtest, response->mutable_window());
  *response->mutable_current_backtest() = std::move(*backtest.mutable_baseline_report());
  *response->mutable_candidate_backtest() = std::move(*backtest.mutable_report());
  *response->mutable_comparison() = std::move(*backtest.mutable_comparison());
  api_->FillFreshness(views.get(), response->mutable_freshness());
  return absl::OkStatus();
}

absl::Status ModelQuality::ApplyRules(const CallScope& scope, const v1::ApplyRulesRequest& request,
                                      const std::string& applied_by,
                                      v1::ApplyRulesResponse* response) {
  // Empty text would make scoring re-read its file: not what an editor's Apply means.
  if (request.yaml().empty()) return absl::InvalidArgumentError("yaml: required");
  v1::ReloadRulesRequest reload;
  reload.set_yaml(request.yaml());
  v1::ReloadRulesResponse reloaded;
  {
    std::unique_ptr<grpc::ClientContext> context = scope.NewContext(options_.scoring_deadline);
    grpc::Status status = scoring_->ReloadRules(context.get(), reload, &reloaded);
    if (!status.ok()) return service::DownstreamError("scoring ReloadRules", status);
  }
  *response->mutable_rules() = reloaded.rules();
  response->set_changed(reloaded.changed());
  service::LogInfo("rules_applied", {{"by", applied_by},
                                     {"rules_sha256", reloaded.rules().sha256()},
                                     {"changed", reloaded.changed()}});
  // The views follow at once rather than at the next poll, so the at-risk list the user opens
  // next is scored with the rules just applied.
  absl::StatusOr<RefreshReport> report = refresher_->RefreshNow(scope, false);
  if (!report.ok()) {
    return absl::Status(
        report.status().code(),
        absl::StrCat("the rules are in force (", reloaded.rules().sha256(),
                     ") but the views were not rebuilt yet: ", report.status().message()));
  }
  api_->FillFreshness(report->views.get(), response->mutable_freshness());
  return absl::OkStatus();
}

}  // namespace churn::gateway
