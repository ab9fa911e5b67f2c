#include "common/proto_convert.h"

#include <cmath>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/absl_compat.h"

namespace churn::service {
namespace {

// Collects the first problem, so the rules read as a list and the message is deterministic.
class FieldChecker {
 public:
  explicit FieldChecker(std::string_view path) : path_(ToAbsl(path)) {}

  void NonEmpty(absl::string_view field, absl::string_view value) {
    if (absl::StripAsciiWhitespace(value).empty()) Fail(field, "must not be empty");
  }
  void NonNegative(absl::string_view field, int64_t value) {
    if (value < 0) Fail(field, absl::StrCat("must be >= 0, got ", value));
  }
  void Finite(absl::string_view field, double value) {
    if (!std::isfinite(value)) Fail(field, absl::StrCat("must be a finite number, got ", value));
  }
  void InRange(absl::string_view field, double value, double min, double max) {
    Finite(field, value);
    if (std::isfinite(value) && (value < min || value > max)) {
      Fail(field, absl::StrCat("must be within [", min, ", ", max, "], got ", value));
    }
  }
  void AtLeast(absl::string_view field, double value, double min) {
    Finite(field, value);
    if (std::isfinite(value) && value < min) {
      Fail(field, absl::StrCat("must be >= ", min, ", got ", value));
    }
  }

  absl::Status status() const { return status_; }

 private:
  void Fail(absl::string_view field, absl::string_view problem) {
    if (!status_.ok()) return;
    status_ =
        absl::InvalidArgumentError(path_.empty() ? absl::StrCat(field, ": ", problem)
                                                 : absl::StrCat(path_, ".", field, ": ", problem));
  }

  absl::string_view path_;
  absl::Status status_;
};

}  // namespace

absl::StatusOr<CustomerSignals> SignalsFromProto(const v1::CustomerSignals& proto,
                                                 std::string_view field_path) {
  FieldChecker check(field_path);
  check.NonEmpty("customer_id", proto.customer_id());
  check.AtLeast("arr", proto.arr(), 0);
  check.NonNegative("usage_30d", proto.usage_30d());
  check.NonNegative("usage_prev30d", proto.usage_prev30d());
  check.InRange("usage_drop_pct", proto.usage_drop_pct(), 0, 1);
  check.NonNegative("errors_30d", proto.errors_30d());
  check.NonNegative("tickets_30d", proto.tickets_30d());
  if (proto.has_satisfaction_score()) {
    // The ticket satisfaction scale is 1-5; anything else is a broken upstream, not a score.
    check.InRange("satisfaction_score", proto.satisfaction_score(), 1, 5);
  }
  if (proto.has_avg_first_response_min()) {
    check.AtLeast("avg_first_response_min", proto.avg_first_response_min(), 0);
  }
  if (proto.has_avg_resolution_hours()) {
    check.AtLeast("avg_resolution_hours", proto.avg_resolution_hours(), 0);
  }
  check.NonNegative("churn_intent_30d", proto.churn_intent_30d());
  if (!check.status().ok()) return check.status();

  CustomerSignals signals;
  signals.customer_id = proto.customer_id();
  signals.account_id = proto.account_id();
  signals.account_name = proto.account_name();
  signals.industry = proto.industry();
  signals.country = proto.country();
  signals.plan_tier = proto.plan_tier();
  signals.arr = proto.arr();
  signals.churned = proto.churned();
  signals.usage_30d = proto.usage_30d();
  signals.usage_prev30d = proto.usage_prev30d();
  signals.usage_drop_pct = proto.usage_drop_pct();
  signals.errors_30d = proto.errors_30d();
  signals.tickets_30d = proto.tickets_30d();
  if (proto.has_satisfaction_score()) signals.satisfaction_score = proto.satisfaction_score();
  signals.escalation_flag = proto.escalation_flag();
  if (proto.has_avg_first_response_min()) {
    signals.avg_first_response_min = proto.avg_first_response_min();
  }
  if (proto.has_avg_resolution_hours()) {
    signals.avg_resolution_hours = proto.avg_resolution_hours();
  }
  signals.churn_intent_30d = proto.churn_intent_30d();
  signals.downgrade_flag = proto.downgrade_flag();
  signals.is_trial = proto.is_trial();
  return signals;
}

void SignalsToProto(const CustomerSignals& signals, v1::CustomerSignals* proto) {
  proto->Clear();
  proto->set_customer_id(signals.customer_id);
  proto->set_account_id(signals.account_id);
  proto->set_account_name(signals.account_name);
  proto->set_industry(signals.industry);
  proto->set_country(signals.country);
  proto->set_plan_tier(signals.plan_tier);
  proto->set_arr(signals.arr);
  proto->set_churned(signals.churned);
  proto->set_usage_30d(signals.usage_30d);
  proto->set_usage_prev30d(signals.usage_prev30d);
  proto->set_usage_drop_pct(signals.usage_drop_pct);
  proto->set_errors_30d(signals.errors_30d);
  proto->set_tickets_30d(signals.tickets_30d);
  if (signals.satisfaction_score) proto->set_satisfaction_score(*signals.satisfaction_score);
  proto->set_escalation_flag(signals.escalation_flag);
  if (signals.avg_first_response_min) {
    proto->set_avg_first_response_min(*signals.avg_first_response_min);
  }
  if (signals.avg_resolution_hours) {
    proto->set_avg_resolution_hours(*signals.avg_resolution_hours);
  }
  proto->set_churn_intent_30d(signals.churn_intent_30d);
  proto->set_downgrade_flag(signals.downgrade_flag);
  proto->set_is_trial(signals.is_trial);
}

v1::RiskLevel RiskLevelToProto(scoring::RiskLevel level) {
  switch (level) {
    case scoring::RiskLevel::kLow: return v1::RISK_LEVEL_LOW;
    case scoring::RiskLevel::kMedium: return v1::RISK_LEVEL_MEDIUM;
    case scoring::RiskLevel::kHigh: return v1::RISK_LEVEL_HIGH;
  }
  return v1::RISK_LEVEL_UNSPECIFIED;
}

absl::StatusOr<scoring::RiskLevel> RiskLevelFromProto(v1::RiskLevel level,
                                                      std::string_view field_path) {
  switch (level) {
    case v1::RISK_LEVEL_LOW: return scoring::RiskLevel::kLow;
    case v1::RISK_LEVEL_MEDIUM: return scoring::RiskLevel::kMedium;
    case v1::RISK_LEVEL_HIGH: return scoring::RiskLevel::kHigh;
    default: break;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      ToAbsl(field_path), ": must be RISK_LEVEL_LOW, RISK_LEVEL_MEDIUM or RISK_LEVEL_HIGH, got ",
      static_cast<int>(level)));
}

void AssessmentToProto(const scoring::Assessment& assessment, v1::RiskAssessment* proto) {
  proto->Clear();
  proto->set_customer_id(assessment.customer_id);
  proto->set_risk_score(assessment.risk_score);
  proto->set_risk_level(RiskLevelToProto(assessment.risk_level));
  for (const scoring::FiredRule& fired : assessment.fired_rules) {
    v1::FiredRule* out = proto->add_fired_rules();
    out->set_rule(fired.rule);
    out->set_tier(fired.tier);
    out->set_points(fired.points);
    out->set_reason(fired.reason);
  }
  for (const std::string& reason : assessment.reasons) proto->add_reasons(reason);
  for (const std::string& action : assessment.actions) proto->add_actions(action);
  proto->set_top_reasons(assessment.top_reasons);
  proto->set_recommended_actions(assessment.recommended_actions);
}

absl::StatusOr<scoring::Assessment> AssessmentFromProto(const v1::RiskAssessment& proto,
                                                        std::string_view field_path) {
  scoring::Assessment assessment;
  absl::StatusOr<scoring::RiskLevel> level =
      RiskLevelFromProto(proto.risk_level(), absl::StrCat(ToAbsl(field_path), ".risk_level"));
  if (!level.ok()) return level.status();
  assessment.customer_id = proto.customer_id();
  assessment.risk_score = proto.risk_score();
  assessment.risk_level = *level;
  for (const v1::FiredRule& fired : proto.fired_rules()) {
    assessment.fired_rules.push_back(
        scoring::FiredRule{fired.rule(), fired.tier(), fired.points(), fired.reason()});
  }
  assessment.reasons.assign(proto.reasons().begin(), proto.reasons().end());
  assessment.actions.assign(proto.actions().begin(), proto.actions().end());
  assessment.top_reasons = proto.top_reasons();
  assessment.recommended_actions = proto.recommended_actions();
  return assessment;
}

}  // namespace churn::service
