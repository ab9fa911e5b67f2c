#pragma once
// An assessment as numbers: the fired tiers and the actions as indices into the rule set's texts
// (RulesTexts: the same for every customer scored with one rule set), the values the reasons
// quote, the score and the level. ExpandAssessment turns it back into exactly the Assessment
// ScoreCustomer writes, so a caller can receive the texts once per rules version and the numbers
// per customer.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "scoring/engine.h"
#include "scoring/rule_set.h"
#include "signals/customer_signals.h"
#include "signals/shared_text.h"
#include "signals/text_interner.h"

namespace churn::scoring {

// What a tier's reason quotes from the signal: nothing (no placeholder), the signal value, or the
// exact integer count of a count signal.
enum class ReasonReading { kNone, kValue, kCount };

struct TierText {
  std::string rule;  // Rule::id
  std::string tier;  // Tier::id
  int points = 0;
  std::string reason;  // the template, placeholders unfilled
  ReasonReading reading = ReasonReading::kNone;
};

struct RulesTexts {
  std::vector<TierText> tiers;       // every tier of every rule: rule order, then tier order
  std::vector<std::string> actions;  // every action of every group in order, then the default
  std::string separator;
  int max_reasons = 3;
};

RulesTexts BuildRulesTexts(const RuleSet& rules);

// One fired tier: its index in RulesTexts::tiers and what its reason quotes (value for kValue,
// count for kCount; unused for kNone).
struct CompactFiredTier {
  int32_t tier = 0;
  double value = 0;
  int64_t count = 0;
};

struct CompactAssessment {
  int risk_score = 0;
  RiskLevel risk_level = RiskLevel::kLow;
  absl::InlinedVector<CompactFiredTier, 8> fired;  // rule order
  absl::InlinedVector<int32_t, 4> actions;         // indices into RulesTexts::actions
};

// Scores like ScoreCustomer but renders no text.
CompactAssessment ScoreCustomerCompact(const RuleSet& rules, const CustomerSignals& signals);

// The full assessment of `compact` (indices must be in range of `texts`: the caller checks).
Assessment ExpandAssessment(const RulesTexts& texts, const CompactAssessment& compact,
                            std::string customer_id);

// The texts of a RulesTexts as shared texts, made once per rules version (and per thread: the
// copies' reference counts then stay in one core's cache): assessments expanded with them hold
// the rule's strings instead of a copy each.
struct SharedRulesTexts {
  struct Tier {
    SharedText rule;
    SharedText tier;
    SharedText reason;  // as written; used when the tier's reading is kNone
  };
  std::vector<Tier> tiers;
  std::vector<SharedText> actions;
};

SharedRulesTexts ShareRulesTexts(const RulesTexts& texts, TextInterner* interner);

// ExpandAssessment's assessment (equal field by field), its texts shared: the rules' from
// `shared` (made from `texts`), the reasons that quote a value and the joined texts interned in
// `interner`, so rows with equal texts hold one string.
Assessment ExpandAssessment(const RulesTexts& texts, const SharedRulesTexts& shared,
                            const CompactAssessment& compact, std::string customer_id,
                            TextInterner* interner);

}  // namespace churn::scoring
