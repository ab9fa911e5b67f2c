#include "convert/views_convert.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "convert/time_convert.h"
#include "dataset/value_parsers.h"

namespace churn::convert {
namespace {

std::string FormatDay(const std::optional<dataset::Day>& day) {
  return day ? dataset::FormatDate(*day) : std::string();
}

}  // namespace

void ToProto(const reports::ExecutiveSummary& e, v1::GetExecutiveResponse* response) {
  response->set_customers(e.customers);
  response->set_churned_customers(e.churned_customers);
  response->set_churn_rate(e.churn_rate);
  response->set_high_risk_customers(e.high_risk_count);
  response->set_high_risk_share(e.high_risk_share);
  response->set_medium_risk_customers(e.medium_risk_count);
  response->set_low_risk_customers(e.low_risk_count);
  response->set_total_arr(e.total_arr);
  response->set_avg_arr(e.average_arr);
  response->set_high_risk_arr(e.arr_at_risk_high);
  response->set_medium_risk_arr(e.arr_at_risk_medium);
}

void ToProto(const reports::DriversSummary& d, v1::GetDriversResponse* response) {
  for (const reports::SegmentRisk& tier : d.by_plan_tier) {
    v1::PlanTierRisk* out = response->add_plan_tiers();
    out->set_plan_tier(tier.segment);
    out->set_customers(tier.customers);
    out->set_mean_risk_score(tier.mean_risk_score);
  }
  for (const reports::DriverCount& driver : d.drivers) {
    v1::DriverCount* out = response->add_drivers();
    out->set_rule(driver.rule);
    out->set_label(driver.label);
    out->set_customers(driver.customers);
  }
  for (const auto& [reason, count] : d.churn_reasons) {
    v1::ReasonCodeCount* out = response->add_churn_reasons();
    out->set_reason_code(reason);
    out->set_count(count);
  }
}

void ToProto(const reports::SegmentRisk& row, v1::SegmentLevelCounts* proto) {
  proto->set_segment(row.segment);
  proto->set_low(row.low);
  proto->set_medium(row.medium);
  proto->set_high(row.high);
}

void ToProto(const playbook::ChecklistStep& step, v1::NextBestActionStep* proto) {
  proto->set_step(step.step);
  proto->set_title(step.title);
  proto->set_detail(step.detail);
  proto->set_due_in_days(step.due_in_days);
}

void ToProto(const playbook::OutreachDraft& draft, v1::OutreachDraft* proto) {
  proto->set_email_subject(draft.email_subject);
  proto->set_email_body(draft.email_body);
  proto->set_slack_message(draft.slack_message);
}

void ToProto(const viewsets::Freshness& freshness, const viewsets::ViewSet* views,
             v1::DataFreshness* proto) {
  proto->set_snapshot_version(freshness.snapshot_version);
  if (freshness.built_at) ToProto(*freshness.built_at, proto->mutable_as_of());
  proto->set_stale(freshness.stale);
  proto->set_stale_seconds(freshness.stale_seconds);
  proto->set_last_error(freshness.last_error);
  if (views != nullptr) {
    proto->set_usage_window_end(FormatDay(views->usage_window_end()));
    proto->set_support_window_end(FormatDay(views->support_window_end()));
    proto->set_rules_sha256(views->rules_sha256());
  }
}

absl::StatusOr<viewsets::AtRiskSort> FromProto(v1::AtRiskSortField field) {
  switch (field) {
    case v1::AT_RISK_SORT_FIELD_UNSPECIFIED:
    case v1::AT_RISK_SORT_FIELD_RISK_SCORE: return viewsets::AtRiskSort::kRiskScore;
    case v1::AT_RISK_SORT_FIELD_ARR: return viewsets::AtRiskSort::kArr;
    case v1::AT_RISK_SORT_FIELD_CUSTOMER_ID: return viewsets::AtRiskSort::kCustomerId;
    case v1::AT_RISK_SORT_FIELD_ACCOUNT_NAME: return viewsets::AtRiskSort::kAccountName;
    case v1::AT_RISK_SORT_FIELD_PLAN_TIER: return viewsets::AtRiskSort::kPlanTier;
    case v1::AT_RISK_SORT_FIELD_USAGE_DROP_PCT: return viewsets::AtRiskSort::kUsageDropPct;
    case v1::AT_RISK_SORT_FIELD_TICKETS_30D: return viewsets::AtRiskSort::kTickets30d;
    case v1::AT_RISK_SORT_FIELD_SCORE_CHANGE_30D: return viewsets::AtRiskSort::kScoreChange30d;
    default: break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("sort_by: unknown sort field ", static_cast<int>(field)));
}

}  // namespace churn::convert
