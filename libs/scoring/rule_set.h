#pragma once
// The scoring rules, loaded from YAML (config/scoring.yaml) and validated on load.
// Every threshold, points value, level boundary and text comes from the file.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace churn::scoring {

// Which signal a rule reads.
enum class SignalKind {
  kUsageDropPct,      // >= tiers
  kTickets30d,        // >= tiers
  kErrors30d,         // >= tiers
  kChurnIntent30d,    // >= tiers
  kSatisfaction,      // <= tiers, only when present and valid
  kEscalation,        // boolean
  kDowngrade,         // boolean
  kTrial,             // boolean
};

// One band of a rule. For ">=" rules bands are ordered by descending threshold, for "<="
// rules by ascending threshold; the first band that matches fires.
struct Tier {
  std::string id;         // e.g. "high", "low"; used by action groups ("satisfaction/low")
  double threshold = 0;   // unused for boolean rules
  int points = 0;
  // Reason text; placeholders: {pct} (whole percent, halves up), {count}, {value}.
  std::string reason;
};

struct Rule {
  std::string id;  // e.g. "usage_drop"
  // How the Drivers view names the rule ("Usage drop"); LabelFromRuleId(id) when the file
  // gives none.
  std::string label;
  SignalKind signal = SignalKind::kUsageDropPct;
  std::vector<Tier> tiers;
};

// Actions appended when any of `when` fired; `when` entries are "rule" or "rule/tier".
struct ActionGroup {
  std::string id;
  std::vector<std::string> when;
  std::vector<std::string> actions;
};

struct RuleSet {
  int version = 1;
  int max_score = 100;
  int high_min = 60;    // risk_level High when score >= high_min
  int medium_min = 30;  // Medium when score >= medium_min
  int max_reasons = 3;
  int max_actions = 3;
  std::string reason_separator = "; ";
  std::vector<Rule> rules;  // evaluated and reported in this order
  std::vector<ActionGroup> action_groups;
  std::string default_action;
};

// Parses and validates rules from YAML text; `source_name` appears in errors, which name the
// offending key and line (unknown keys, negative points, unordered tiers, bad levels...).
absl::StatusOr<RuleSet> ParseRuleSet(std::string_view yaml_text, std::string_view source_name);
absl::StatusOr<RuleSet> LoadRuleSetFile(const std::string& path);

// "late_payments" -> "Late payments": the label of a rule whose file gives none.
std::string LabelFromRuleId(std::string_view rule_id);

// Rule id -> label, for every rule of `rule_set`.
std::map<std::string, std::string> RuleLabels(const RuleSet& rule_set);

// The built-in defaults: config/scoring.yaml as it was at build time.
const RuleSet& DefaultRuleSet();
std::string_view DefaultRuleSetYaml();

}  // namespace churn::scoring
