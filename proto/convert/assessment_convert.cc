#include "convert/assessment_convert.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "status/status_macros.h"

namespace churn::convert {

v1::RiskLevel ToProto(scoring::RiskLevel level) {
  switch (level) {
    case scoring::RiskLevel::kLow: return v1::RISK_LEVEL_LOW;
    case scoring::RiskLevel::kMedium: return v1::RISK_LEVEL_MEDIUM;
    case scoring::RiskLevel::kHigh: return v1::RISK_LEVEL_HIGH;
  }
  return v1::RISK_LEVEL_UNSPECIFIED;
}

absl::StatusOr<scoring::RiskLevel> FromProto(v1::RiskLevel level, std::string_view field_path) {
  switch (level) {
    case v1::RISK_LEVEL_LOW: return scoring::RiskLevel::kLow;
    case v1::RISK_LEVEL_MEDIUM: return scoring::RiskLevel::kMedium;
    case v1::RISK_LEVEL_HIGH: return scoring::RiskLevel::kHigh;
    default: break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(field_path),
                   ": must be RISK_LEVEL_LOW, RISK_LEVEL_MEDIUM or RISK_LEVEL_HIGH, got ",
                   static_cast<int>(level)));
}

void ToProto(const scoring::Assessment& assessment, v1::RiskAssessment* proto) {
  proto->Clear();
  proto->set_customer_id(assessment.customer_id);
  proto->set_risk_score(assessment.risk_score);
  proto->set_risk_level(ToProto(assessment.risk_level));
  for (const scoring::FiredRule& fired : assessment.fired_rules) {
    v1::FiredRule* out = proto->add_fired_rules();
    out->set_rule(fired.rule.str());
    out->set_tier(fired.tier.str());
    out->set_points(fired.points);
    out->set_reason(fired.reason.str());
  }
  for (const SharedText& reason : assessment.reasons) proto->add_reasons(reason.str());
  for (const SharedText& action : assessment.actions) proto->add_actions(action.str());
  proto->set_top_reasons(assessment.top_reasons.str());
  proto->set_recommended_actions(assessment.recommended_actions.str());
}

namespace {

// The level first: its error path (a string built per call) only when it is invalid.
absl::StatusOr<scoring::RiskLevel> LevelOf(v1::RiskLevel level, std::string_view field_path) {
  switch (level) {
    case v1::RISK_LEVEL_LOW: return scoring::RiskLevel::kLow;
    case v1::RISK_LEVEL_MEDIUM: return scoring::RiskLevel::kMedium;
    case v1::RISK_LEVEL_HIGH: return scoring::RiskLevel::kHigh;
    default: return FromProto(level, absl::StrCat(std::string(field_path), ".risk_level"));
  }
}

}  // namespace

absl::StatusOr<scoring::Assessment> FromProto(const v1::RiskAssessment& proto,
                                              std::string_view field_path) {
  scoring::Assessment assessment;
  CHURN_ASSIGN_OR_RETURN(assessment.risk_level, LevelOf(proto.risk_level(), field_path));
  assessment.customer_id = proto.customer_id();
  assessment.risk_score = proto.risk_score();
  assessment.fired_rules.reserve(static_cast<size_t>(proto.fired_rules_size()));
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

absl::StatusOr<scoring::Assessment> FromProto(v1::RiskAssessment* proto,
                                              std::string_view field_path, TextInterner* texts) {
  scoring::Assessment assessment;
  CHURN_ASSIGN_OR_RETURN(assessment.risk_level, LevelOf(proto->risk_level(), field_path));
  assessment.customer_id = std::move(*proto->mutable_customer_id());
  assessment.risk_score = proto->risk_score();
  auto take = [texts](std::string* text) -> SharedText {
    if (texts != nullptr) return texts->Intern(std::move(*text));
    return SharedText(std::move(*text));
  };
  assessment.fired_rules.reserve(static_cast<size_t>(proto->fired_rules_size()));
  for (v1::FiredRule& fired : *proto->mutable_fired_rules()) {
    assessment.fired_rules.push_back(scoring::FiredRule{take(fired.mutable_rule()),
                                                        take(fired.mutable_tier()), fired.points(),
                                                        take(fired.mutable_reason())});
  }
  assessment.reasons.reserve(static_cast<size_t>(proto->reasons_size()));
  for (std::string& reason : *proto->mutable_reasons()) assessment.reasons.push_back(take(&reason));
  assessment.actions.reserve(static_cast<size_t>(proto->actions_size()));
  for (std::string& action : *proto->mutable_actions()) assessment.actions.push_back(take(&action));
  assessment.top_reasons = take(proto->mutable_top_reasons());
  assessment.recommended_actions = take(proto->mutable_recommended_actions());
  return assessment;
}

}  // namespace churn::convert
