#include "convert/rules_dry_run_convert.h"

#include <string>

#include "convert/assessment_convert.h"

namespace churn::convert {
namespace {

// Indexed by RiskLevel: Low, Medium, High.
void LevelCountsToProto(const std::array<int64_t, 3>& levels, v1::LevelCounts* counts) {
  counts->set_low(levels[0]);
  counts->set_medium(levels[1]);
  counts->set_high(levels[2]);
}

}  // namespace

void ToProto(const scoring::RulesDiffSummary& summary, v1::DryRunSummary* proto) {
  proto->set_customers(summary.customers);
  proto->set_changed(summary.changed);
  proto->set_level_changed(summary.level_changed);
  proto->set_score_up(summary.score_up);
  proto->set_score_down(summary.score_down);
  LevelCountsToProto(summary.levels_before, proto->mutable_levels_before());
  LevelCountsToProto(summary.levels_after, proto->mutable_levels_after());
  for (const auto& [levels, count] : summary.transitions) {
    v1::LevelTransition* transition = proto->add_transitions();
    transition->set_from(ToProto(levels.first));
    transition->set_to(ToProto(levels.second));
    transition->set_count(count);
  }
}

void ToProto(const scoring::CustomerRulesDiff& diff, v1::CustomerRuleChange* proto) {
  proto->set_customer_id(diff.before.customer_id);
  proto->set_score_before(diff.before.risk_score);
  proto->set_score_after(diff.after.risk_score);
  proto->set_level_before(ToProto(diff.before.risk_level));
  proto->set_level_after(ToProto(diff.after.risk_level));
  proto->set_top_reasons_before(diff.before.top_reasons);
  proto->set_top_reasons_after(diff.after.top_reasons);
  proto->set_recommended_actions_before(diff.before.recommended_actions);
  proto->set_recommended_actions_after(diff.after.recommended_actions);
  for (const std::string& id : diff.rules_added) proto->add_rules_added(id);
  for (const std::string& id : diff.rules_removed) proto->add_rules_removed(id);
  proto->set_changed(diff.changed);
}

}  // namespace churn::convert
