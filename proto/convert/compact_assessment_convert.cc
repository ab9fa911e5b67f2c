#include "convert/compact_assessment_convert.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "convert/assessment_convert.h"
#include "status/status_macros.h"

namespace churn::convert {
namespace {

v1::ReasonReading ToProto(scoring::ReasonReading reading) {
  switch (reading) {
    case scoring::ReasonReading::kNone: return v1::REASON_READING_NONE;
    case scoring::ReasonReading::kValue: return v1::REASON_READING_VALUE;
    case scoring::ReasonReading::kCount: return v1::REASON_READING_COUNT;
  }
  return v1::REASON_READING_NONE;
}

absl::StatusOr<scoring::ReasonReading> FromProto(v1::ReasonReading reading,
                                                 const std::string& field_path) {
  switch (reading) {
    case v1::REASON_READING_NONE: return scoring::ReasonReading::kNone;
    case v1::REASON_READING_VALUE: return scoring::ReasonReading::kValue;
    case v1::REASON_READING_COUNT: return scoring::ReasonReading::kCount;
    default: break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(field_path, ": unknown reason reading ", static_cast<int>(reading)));
}

absl::Status Invalid(std::string_view field_path, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(std::string(field_path), ": ", std::string(what)));
}

}  // namespace

void ToProto(const scoring::RulesTexts& texts, std::string_view rules_sha256,
             v1::RulesTexts* proto) {
  proto->Clear();
  proto->set_rules_sha256(std::string(rules_sha256));
  for (const scoring::TierText& tier : texts.tiers) {
    v1::TierText* out = proto->add_tiers();
    out->set_rule(tier.rule);
    out->set_tier(tier.tier);
    out->set_points(tier.points);
    out->set_reason(tier.reason);
    out->set_reading(ToProto(tier.reading));
  }
  for (const std::string& action : texts.actions) proto->add_actions(action);
  proto->set_separator(texts.separator);
  proto->set_max_reasons(texts.max_reasons);
}

absl::StatusOr<scoring::RulesTexts> FromProto(const v1::RulesTexts& proto,
                                              std::string_view field_path) {
  scoring::RulesTexts texts;
  for (int i = 0; i < proto.tiers_size(); ++i) {
    const v1::TierText& tier = proto.tiers(i);
    CHURN_ASSIGN_OR_RETURN(scoring::ReasonReading reading,
                           FromProto(tier.reading(), absl::StrCat(std::string(field_path),
                                                                  ".tiers[", i, "].reading")));
    texts.tiers.push_back(
        scoring::TierText{tier.rule(), tier.tier(), tier.points(), tier.reason(), reading});
  }
  texts.actions.assign(proto.actions().begin(), proto.actions().end());
  texts.separator = proto.separator();
  texts.max_reasons = proto.max_reasons();
  return texts;
}

void AppendToProto(const scoring::CompactAssessment& compact, const scoring::RulesTexts& texts,
                   v1::CompactAssessments* proto) {
  proto->add_risk_scores(compact.risk_score);
  proto->add_risk_levels(ToProto(compact.risk_level));
  proto->add_fired_counts(static_cast<int32_t>(compact.fired.size()));
  for (const scoring::CompactFiredTier& fired : compact.fired) {
    proto->add_fired_tiers(fired.tier);
    switch (texts.tiers[static_cast<size_t>(fired.tier)].reading) {
      case scoring::ReasonReading::kNone: break;
      case scoring::ReasonReading::kValue: proto->add_reading_values(fired.value); break;
      case scoring::ReasonReading::kCount: proto->add_reading_counts(fired.count); break;
    }
  }
  proto->add_action_counts(static_cast<int32_t>(compact.actions.size()));
  for (int32_t action : compact.actions) proto->add_actions(action);
}

absl::StatusOr<std::vector<scoring::CompactAssessment>> FromProto(
    const v1::CompactAssessments& proto, const scoring::RulesTexts& texts,
    std::string_view field_path) {
  const int customers = proto.risk_scores_size();
  if (proto.risk_levels_size() != customers || proto.fired_counts_size() != customers ||
      proto.action_counts_size() != customers) {
    return Invalid(field_path,
                   "risk_scores, risk_levels, fired_counts and action_counts differ "
                   "in length");
  }
  std::vector<scoring::CompactAssessment> out(static_cast<size_t>(customers));
  int fired_at = 0, value_at = 0, count_at = 0, action_at = 0;
  for (int i = 0; i < customers; ++i) {
    scoring::CompactAssessment& compact = out[static_cast<size_t>(i)];
    compact.risk_score = proto.risk_scores(i);
    CHURN_ASSIGN_OR_RETURN(compact.risk_level,
                           FromProto(proto.risk_levels(i), absl::StrCat(std::string(field_path),
                                                                        ".risk_levels[", i, "]")));
    const int fired_count = proto.fired_counts(i);
    if (fired_count < 0 || fired_count > proto.fired_tiers_size() - fired_at) {
      return Invalid(field_path, absl::StrCat("fired_counts[", i, "] runs past fired_tiers"));
    }
    for (int k = 0; k < fired_count; ++k, ++fired_at) {
      scoring::CompactFiredTier fired;
      fired.tier = proto.fired_tiers(fired_at);
      if (fired.tier < 0 || static_cast<size_t>(fired.tier) >= texts.tiers.size()) {
        return Invalid(field_path, absl::StrCat("fired_tiers[", fired_at, "] is not a tier"));
      }
      switch (texts.tiers[static_cast<size_t>(fired.tier)].reading) {
        case scoring::ReasonReading::kNone: break;
        case scoring::ReasonReading::kValue:
          if (value_at >= proto.reading_values_size()) {
            return Invalid(field_path, "reading_values ends early");
          }
          fired.value = proto.reading_values(value_at++);
          break;
        case scoring::ReasonReading::kCount:
          if (count_at >= proto.reading_counts_size()) {
            return Invalid(field_path, "reading_counts ends early");
          }
          fired.count = proto.reading_counts(count_at++);
          break;
      }
      compact.fired.push_back(fired);
    }
    const int action_count = proto.action_counts(i);
    if (action_count < 0 || action_count > proto.actions_size() - action_at) {
      return Invalid(field_path, absl::StrCat("action_counts[", i, "] runs past actions"));
    }
    for (int k = 0; k < action_count; ++k, ++action_at) {
      const int32_t action = proto.actions(action_at);
      if (action < 0 || static_cast<size_t>(action) >= texts.actions.size()) {
        return Invalid(field_path, absl::StrCat("actions[", action_at, "] is not an action"));
      }
      compact.actions.push_back(action);
    }
  }
  if (fired_at != proto.fired_tiers_size() || action_at != proto.actions_size() ||
      value_at != proto.reading_values_size() || count_at != proto.reading_counts_size()) {
    return Invalid(field_path, "columns longer than the counts say");
  }
  return out;
}

}  // namespace churn::convert
