// Fuzzes the rule-file parser, and the engine with whatever rule sets the parser accepts.
// Properties: no crash, no exception, no sanitizer report; an accepted rule set always yields
// 0 <= risk_score <= max_score, at most max_reasons reasons and 1..max_actions actions.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string_view>
#include <vector>

#include "scoring/engine.h"
#include "scoring/rule_set.h"
#include "fuzz_check.h"

namespace {

using churn::CustomerSignals;
using churn::scoring::Assessment;
using churn::scoring::RuleSet;

using churn::fuzz::Check;

// A quiet customer, a customer hitting every rule, and bad values that must not crash scoring.
std::vector<CustomerSignals> FixedSignalSets() {
  std::vector<CustomerSignals> sets(5);
  sets[0].customer_id = "quiet";

  CustomerSignals& everything = sets[1];
  everything.customer_id = "everything";
  everything.usage_drop_pct = 0.9;
  everything.tickets_30d = 40;
  everything.errors_30d = 500;
  everything.churn_intent_30d = 3;
  everything.satisfaction_score = 1.0;
  everything.escalation_flag = everything.downgrade_flag = everything.is_trial = true;

  CustomerSignals& middling = sets[2];
  middling.customer_id = "middling";
  middling.usage_drop_pct = 0.4;
  middling.tickets_30d = 3;
  middling.errors_30d = 3;
  middling.satisfaction_score = 3.0;

  CustomerSignals& bad_values = sets[3];
  bad_values.customer_id = "bad";
  bad_values.usage_drop_pct = std::numeric_limits<double>::quiet_NaN();
  bad_values.satisfaction_score = std::numeric_limits<double>::infinity();
  bad_values.tickets_30d = -5;

  CustomerSignals& extremes = sets[4];
  extremes.customer_id = "extremes";
  extremes.usage_drop_pct = -1e300;
  extremes.tickets_30d = std::numeric_limits<int64_t>::max();
  extremes.errors_30d = std::numeric_limits<int64_t>::min();
  extremes.churn_intent_30d = 1;
  extremes.satisfaction_score = -1e300;
  return sets;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<CustomerSignals> kSignalSets = FixedSignalSets();

  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<RuleSet> rules = churn::scoring::ParseRuleSet(yaml, "fuzz.yaml");
  if (!rules.ok()) {
    Check(!rules.status().message().empty(), "errors explain themselves");
    return 0;
  }
  for (const CustomerSignals& signals : kSignalSets) {
    const Assessment assessment = churn::scoring::ScoreCustomer(*rules, signals);
    Check(assessment.risk_score >= 0, "score >= 0");
    Check(assessment.risk_score <= rules->max_score, "score <= max_score");
    Check(assessment.reasons.size() <= static_cast<size_t>(rules->max_reasons), "reasons <= max_reasons");
    Check(assessment.reasons.size() <= assessment.fired_rules.size(), "every reason has a fired rule");
    Check(!assessment.actions.empty(), "at least one action");
    Check(assessment.actions.size() <= static_cast<size_t>(rules->max_actions), "actions <= max_actions");
    Check(assessment.customer_id == signals.customer_id, "customer id carried over");
    Check((assessment.risk_level == churn::scoring::RiskLevel::kHigh) ==
              (assessment.risk_score >= rules->high_min),
          "High exactly from high_min");
    for (const auto& fired : assessment.fired_rules) Check(fired.points > 0, "fired rules add points");
  }
  return 0;
}
