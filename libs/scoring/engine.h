#pragma once
// The explainable rules engine: signals in, an assessment with its audit trail out.

#include <string>
#include <vector>

#include "scoring/rule_set.h"
#include "signals/customer_signals.h"

namespace churn::scoring {

enum class RiskLevel { kLow, kMedium, kHigh };
std::string_view RiskLevelName(RiskLevel level);  // "Low", "Medium", "High"

struct FiredRule {
  std::string rule;    // Rule::id
  std::string tier;    // Tier::id
  int points = 0;
  std::string reason;
};

struct Assessment {
  std::string customer_id;
  int risk_score = 0;  // min(sum of points, max_score)
  RiskLevel risk_level = RiskLevel::kLow;
  std::vector<FiredRule> fired_rules;        // every rule that added points, in rule order
  std::vector<std::string> reasons;          // the first max_reasons reasons
  std::vector<std::string> actions;          // the first max_actions actions
  std::string top_reasons;                   // reasons joined by the separator
  std::string recommended_actions;           // actions joined by the separator
};

Assessment ScoreCustomer(const RuleSet& rules, const CustomerSignals& signals);

// At-risk order: risk_score desc, arr desc, customer_id asc. True when a sorts before b.
bool AtRiskBefore(const Assessment& a, double arr_a, const Assessment& b, double arr_b);

}  // namespace churn::scoring
