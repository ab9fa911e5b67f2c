#pragma once
// The explainable rules engine: signals in, an assessment with its audit trail out.

#include <cstdint>
#include <string>
#include <vector>

#include "scoring/rule_set.h"
#include "signals/customer_signals.h"
#include "signals/shared_text.h"

namespace churn::scoring {

enum class RiskLevel : uint8_t { kLow, kMedium, kHigh };
std::string_view RiskLevelName(RiskLevel level);  // "Low", "Medium", "High"

// The texts are SharedText: a million assessments scored with one rule set repeat a bounded set
// of texts (the gateway interns them, so its rows hold pointers, not copies).
struct FiredRule {
  SharedText rule;  // Rule::id
  SharedText tier;  // Tier::id
  int points = 0;
  SharedText reason;
};

struct Assessment {
  std::string customer_id;
  int risk_score = 0;  // min(sum of points, max_score)
  RiskLevel risk_level = RiskLevel::kLow;
  std::vector<FiredRule> fired_rules;        // every rule that added points, in rule order
  std::vector<SharedText> reasons;           // the first max_reasons reasons
  std::vector<SharedText> actions;           // the first max_actions actions
  SharedText top_reasons;                    // reasons joined by the separator
  SharedText recommended_actions;            // actions joined by the separator
};

Assessment ScoreCustomer(const RuleSet& rules, const CustomerSignals& signals);

// At-risk order: risk_score desc, arr desc, customer_id asc. True when a sorts before b.
bool AtRiskBefore(const Assessment& a, double arr_a, const Assessment& b, double arr_b);

}  // namespace churn::scoring
