#pragma once
// Inside libs/scoring: the rules applied to one customer before any text is written, shared by
// ScoreCustomer (full texts) and ScoreCustomerCompact (indices), so both forms come from one
// evaluation; and the text steps ExpandAssessment repeats exactly.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/inlined_vector.h"
#include "scoring/engine.h"
#include "scoring/rule_set.h"
#include "signals/customer_signals.h"

namespace churn::scoring::internal {

// One signal as a rule sees it: the number compared against thresholds, and for count signals
// the exact integer used by {count}.
struct SignalReading {
  double value = 0;
  std::optional<int64_t> count;
};

struct FiredTierRef {
  const Rule* rule = nullptr;
  const Tier* tier = nullptr;
  int32_t index = 0;  // in rule order, then tier order, over all rules (RulesTexts::tiers)
  SignalReading reading;
};

struct ChosenAction {
  const std::string* text = nullptr;
  int32_t index = 0;  // over all groups' actions in order, the default action last
};

struct Evaluation {
  int risk_score = 0;
  RiskLevel risk_level = RiskLevel::kLow;
  absl::InlinedVector<FiredTierRef, 8> fired;
  absl::InlinedVector<ChosenAction, 4> actions;
};

Evaluation Evaluate(const RuleSet& rules, const CustomerSignals& signals);

// True for signals whose reading carries an exact count ({count}).
bool IsCountSignal(SignalKind kind);

// Fills {pct}, {count} and {value} of a tier's reason.
std::string FormatReason(std::string_view reason, const SignalReading& reading);

// From fired_rules and actions: reasons (the first max_reasons), top_reasons and
// recommended_actions.
void FinishTexts(int max_reasons, std::string_view separator, Assessment* assessment);

}  // namespace churn::scoring::internal
