#include "scoring/rules_dry_run.h"

#include <algorithm>
#include <iterator>
#include <set>

#include "absl/strings/str_cat.h"

namespace churn::scoring {
namespace {

std::set<std::string> FiredIds(const Assessment& assessment) {
  std::set<std::string> ids;
  for (const FiredRule& fired : assessment.fired_rules) {
    ids.insert(absl::StrCat(fired.rule.str(), "/", fired.tier.str()));
  }
  return ids;
}

size_t LevelIndex(RiskLevel level) { return static_cast<size_t>(level); }

}  // namespace

RulesDryRun DryRunRules(const RuleSet& current, const RuleSet& candidate,
                        const std::vector<CustomerSignals>& customers) {
  RulesDryRun result;
  result.customers.reserve(customers.size());
  RulesDiffSummary& summary = result.summary;
  for (const CustomerSignals& signals : customers) {
    CustomerRulesDiff diff;
    diff.before = ScoreCustomer(current, signals);
    diff.after = ScoreCustomer(candidate, signals);

    std::set<std::string> before_ids = FiredIds(diff.before);
    std::set<std::string> after_ids = FiredIds(diff.after);
    std::set_difference(after_ids.begin(), after_ids.end(), before_ids.begin(), before_ids.end(),
                        std::back_inserter(diff.rules_added));
    std::set_difference(before_ids.begin(), before_ids.end(), after_ids.begin(), after_ids.end(),
                        std::back_inserter(diff.rules_removed));

    const bool level_changed = diff.before.risk_level != diff.after.risk_level;
    diff.changed = diff.before.risk_score != diff.after.risk_score || level_changed ||
                   diff.before.top_reasons.str() != diff.after.top_reasons.str() ||
                   diff.before.recommended_actions.str() != diff.after.recommended_actions.str();

    ++summary.customers;
    if (diff.changed) ++summary.changed;
    if (level_changed) {
      ++summary.level_changed;
      ++summary.transitions[{diff.before.risk_level, diff.after.risk_level}];
    }
    if (diff.after.risk_score > diff.before.risk_score) ++summary.score_up;
    if (diff.after.risk_score < diff.before.risk_score) ++summary.score_down;
    ++summary.levels_before[LevelIndex(diff.before.risk_level)];
    ++summary.levels_after[LevelIndex(diff.after.risk_level)];
    result.customers.push_back(std::move(diff));
  }
  return result;
}

}  // namespace churn::scoring
