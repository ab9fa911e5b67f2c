#pragma once
// What a candidate rule file would change: every customer scored with the current and with the
// candidate rules, compared. Nothing is applied.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "scoring/engine.h"
#include "scoring/rule_set.h"
#include "signals/customer_signals.h"

namespace churn::scoring {

struct CustomerRulesDiff {
  Assessment before;
  Assessment after;
  std::vector<std::string> rules_added;    // "rule/tier" firing only with the candidate
  std::vector<std::string> rules_removed;  // "rule/tier" firing only with the current rules
  bool changed = false;                    // score, level, reasons or actions differ
};

struct RulesDiffSummary {
  int64_t customers = 0;
  int64_t changed = 0;
  int64_t level_changed = 0;
  int64_t score_up = 0;
  int64_t score_down = 0;
  std::array<int64_t, 3> levels_before{};  // indexed by RiskLevel: Low, Medium, High
  std::array<int64_t, 3> levels_after{};
  // (from, to) -> customers, only where from != to; ordered for deterministic output.
  std::map<std::pair<RiskLevel, RiskLevel>, int64_t> transitions;
};

struct RulesDryRun {
  std::vector<CustomerRulesDiff> customers;  // input order
  RulesDiffSummary summary;
};

RulesDryRun DryRunRules(const RuleSet& current, const RuleSet& candidate,
                        const std::vector<CustomerSignals>& customers);

}  // namespace churn::scoring
