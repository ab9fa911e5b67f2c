#include "scoring/rule_set.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "status/status_macros.h"
#include "yaml-cpp/depthguard.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/yaml.h"

namespace churn::scoring {
namespace {

constexpr int kSupportedVersion = 1;

// How a signal is compared, which decides the tier keys a rule over it takes.
enum class Comparison {
  kAtLeast,  // tiers have `min`; value >= min fires
  kAtMost,   // tiers have `max`; value <= max fires
  kBoolean,  // a single tier without threshold; fires when the flag is set
};

// Placeholders a reason text may use, as a bit set.
enum Placeholder : unsigned {
  kPct = 1u << 0,
  kCount = 1u << 1,
  kValue = 1u << 2,
};

struct SignalSpec {
  absl::string_view name;  // as docs/PRODUCT.md names the signal
  SignalKind kind;
  Comparison comparison;
  unsigned placeholders;  // Placeholder bits allowed in this signal's reasons
};

// The single table of signal names; the engine reads the same SignalKind values.
constexpr std::array<SignalSpec, 8> kSignals = {{
    {"usage_drop_pct", SignalKind::kUsageDropPct, Comparison::kAtLeast, kPct | kValue},
    {"tickets_30d", SignalKind::kTickets30d, Comparison::kAtLeast, kCount | kValue},
    {"errors_30d", SignalKind::kErrors30d, Comparison::kAtLeast, kCount | kValue},
    {"churn_intent_30d", SignalKind::kChurnIntent30d, Comparison::kAtLeast, kCount | kValue},
    {"satisfaction_score", SignalKind::kSatisfaction, Comparison::kAtMost, kValue},
    {"escalation_flag", SignalKind::kEscalation, Comparison::kBoolean, 0},
    {"downgrade_flag", SignalKind::kDowngrade, Comparison::kBoolean, 0},
    {"is_trial", SignalKind::kTrial, Comparison::kBoolean, 0},
}};

const SignalSpec* FindSignal(absl::string_view name) {
  for (const SignalSpec& spec : kSignals) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::string SignalNameList() {
  return absl::StrJoin(kSignals, ", ",
                       [](std::string* out, const SignalSpec& s) { absl::StrAppend(out, s.name); });
}

std::string PlaceholderList(unsigned allowed) {
  std::vector<absl::string_view> names;
  if (allowed & kPct) names.push_back("{pct}");
  if (allowed & kCount) names.push_back("{count}");
  if (allowed & kValue) names.push_back("{value}");
  return names.empty() ? std::string("none") : absl::StrJoin(names, ", ");
}

absl::string_view NodeTypeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "null";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Undefined: break;
  }
  return "nothing";
}

// Ids are referenced as "rule/tier" from action groups, so they must not contain '/'.
bool IsValidId(absl::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

std::string FormatThreshold(double value) { return absl::StrCat(value); }

// The keys of one YAML mapping, checked against the keys it may hold.
class Fields {
 public:
  Fields(YAML::Node mapping, std::string path) : mapping_(std::move(mapping)), path_(std::move(path)) {}

  const YAML::Node& mapping() const { return mapping_; }
  const std::string& path() const { return path_; }

  void Add(std::string key, YAML::Node value) { entries_.emplace_back(std::move(key), std::move(value)); }

  std::optional<YAML::Node> Find(absl::string_view key) const {
    for (const auto& [name, value] : entries_) {
      if (name == key) return value;
    }
    return std::nullopt;
  }

  std::string PathOf(absl::string_view key) const {
    return path_.empty() ? std::string(key) : absl::StrCat(path_, ".", key);
  }

 private:
  YAML::Node mapping_;
  std::string path_;
  std::vector<std::pair<std::string, YAML::Node>> entries_;
};

// Parses one YAML document into a RuleSet; the first problem found becomes the error, naming the
// source, the line and column, and the key path (e.g. "rules[2].tiers[0].points").
class RuleSetParser {
 public:
  explicit RuleSetParser(std::string_view source_name) : source_name_(source_name) {}

  absl::StatusOr<RuleSet> Parse(const YAML::Node& root) {
    RuleSet rule_set;
    CHURN_ASSIGN_OR_RETURN(
        Fields top, ReadMapping(root, "",
                                {"version", "max_score", "levels", "max_reasons", "max_actions",
                                 "separator", "rules", "action_groups", "default_action"}));

    CHURN_ASSIGN_OR_RETURN(YAML::Node version_node, Required(top, "version"));
    CHURN_ASSIGN_OR_RETURN(rule_set.version, ReadInt(version_node, "version"));
    if (rule_set.version != kSupportedVersion) {
      return Error(version_node, "version",
                   absl::StrCat("unsupported version ", rule_set.version, " (this build reads version ",
                                kSupportedVersion, ")"));
    }

    CHURN_ASSIGN_OR_RETURN(YAML::Node max_score_node, Required(top, "max_score"));
    CHURN_ASSIGN_OR_RETURN(rule_set.max_score, ReadInt(max_score_node, "max_score"));
    if (rule_set.max_score < 1) {
      return Error(max_score_node, "max_score", absl::StrCat("must be at least 1, got ", rule_set.max_score));
    }
    CHURN_RETURN_IF_ERROR(ParseLevels(top, rule_set));

    CHURN_ASSIGN_OR_RETURN(rule_set.max_reasons, ReadCount(top, "max_reasons"));
    CHURN_ASSIGN_OR_RETURN(rule_set.max_actions, ReadCount(top, "max_actions"));
    CHURN_ASSIGN_OR_RETURN(YAML::Node separator_node, Required(top, "separator"));
    CHURN_ASSIGN_OR_RETURN(rule_set.reason_separator, ReadText(separator_node, "separator"));

    CHURN_RETURN_IF_ERROR(ParseRules(top, rule_set));
    CHURN_RETURN_IF_ERROR(ParseActionGroups(top, rule_set));

    CHURN_ASSIGN_OR_RETURN(YAML::Node default_action_node, Required(top, "default_action"));
    CHURN_ASSIGN_OR_RETURN(rule_set.default_action,
                           ReadText(default_action_node, "default_action"));
    return rule_set;
  }

  // "<source>:<line>:<column>: <path>: <message>", leaving out what is unknown.
  absl::Status Error(const YAML::Mark& mark, absl::string_view path, absl::string_view message) const {
    std::string text = source_name_;
    if (!mark.is_null()) absl::StrAppend(&text, ":", mark.line + 1, ":", mark.column + 1);
    absl::StrAppend(&text, ": ");
    if (!path.empty()) absl::StrAppend(&text, path, ": ");
    absl::StrAppend(&text, message);
    return absl::InvalidArgumentError(text);
  }

 private:
  absl::Status Error(const YAML::Node& node, absl::string_view path, absl::string_view message) const {
    return Error(node.Mark(), path, message);
  }

  absl::StatusOr<Fields> ReadMapping(const YAML::Node& node, std::string path,
                                     std::initializer_list<absl::string_view> allowed_keys) const {
    if (!node.IsMap()) {
      return Error(node, path, absl::StrCat("expected a mapping, got ", NodeTypeName(node)));
    }
    Fields fields(node, std::move(path));
    for (auto it = node.begin(); it != node.end(); ++it) {
      // By value: the iterator hands out a temporary key/value pair.
      const YAML::Node key_node = it->first;
      if (!key_node.IsScalar()) {
        return Error(key_node, fields.path(),
                     absl::StrCat("keys must be plain names, got ", NodeTypeName(key_node)));
      }
      const std::string& key = key_node.Scalar();
      if (std::find(allowed_keys.begin(), allowed_keys.end(), key) == allowed_keys.end()) {
        return Error(key_node, fields.PathOf(key),
                     absl::StrCat("unknown key '", key,
                                  "' (expected one of: ", absl::StrJoin(allowed_keys, ", "), ")"));
      }
      if (fields.Find(key).has_value()) {
        return Error(key_node, fields.PathOf(key), absl::StrCat("duplicate key '", key, "'"));
      }
      fields.Add(key, it->second);
    }
    return fields;
  }

  absl::StatusOr<YAML::Node> Required(const Fields& fields, absl::string_view key) const {
    std::optional<YAML::Node> value = fields.Find(key);
    if (!value.has_value()) {
      return Error(fields.mapping(), fields.PathOf(key), absl::StrCat("missing required key '", key, "'"));
    }
    return *value;
  }

  absl::StatusOr<std::string> ReadScalar(const YAML::Node& node, absl::string_view path,
                                         absl::string_view expected) const {
    if (!node.IsScalar()) {
      return Error(node, path, absl::StrCat("expected ", expected, ", got ", NodeTypeName(node)));
    }
    return node.Scalar();
  }

  absl::StatusOr<int> ReadInt(const YAML::Node& node, absl::string_view path) const {
    CHURN_ASSIGN_OR_RETURN(std::string text, ReadScalar(node, path, "an integer"));
    int value = 0;
    if (!absl::SimpleAtoi(text, &value)) {
      return Error(node, path, absl::StrCat("expected an integer, got '", text, "'"));
    }
    return value;
  }

  absl::StatusOr<double> ReadFiniteNumber(const YAML::Node& node, absl::string_view path) const {
    CHURN_ASSIGN_OR_RETURN(std::string text, ReadScalar(node, path, "a number"));
    double value = 0;
    const std::string lowered = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
    const bool yaml_special =
        lowered == ".nan" || lowered == ".inf" || lowered == "+.inf" || lowered == "-.inf";
    if (!yaml_special && !absl::SimpleAtod(text, &value)) {
      return Error(node, path, absl::StrCat("expected a number, got '", text, "'"));
    }
    if (yaml_special || !std::isfinite(value)) {
      return Error(node, path, absl::StrCat("must be a finite number, got '", text, "'"));
    }
    return value;
  }

  // A non-empty text (reasons, actions, separator): blank text would show as an empty reason.
  absl::StatusOr<std::string> ReadText(const YAML::Node& node, absl::string_view path) const {
    CHURN_ASSIGN_OR_RETURN(std::string text, ReadScalar(node, path, "a string"));
    if (absl::StripAsciiWhitespace(text).empty()) return Error(node, path, "must not be empty");
    return text;
  }

  absl::StatusOr<std::string> ReadId(const YAML::Node& node, absl::string_view path) const {
    CHURN_ASSIGN_OR_RETURN(std::string id, ReadScalar(node, path, "an id"));
    if (!IsValidId(id)) {
      return Error(node, path, absl::StrCat("invalid id '", id, "' (use letters, digits, '_' and '-')"));
    }
    return id;
  }

  // max_reasons / max_actions: how many to show, at least one.
  absl::StatusOr<int> ReadCount(const Fields& fields, absl::string_view key) const {
    CHURN_ASSIGN_OR_RETURN(YAML::Node node, Required(fields, key));
    const std::string path = fields.PathOf(key);
    CHURN_ASSIGN_OR_RETURN(int value, ReadInt(node, path));
    if (value < 1) return Error(node, path, absl::StrCat("must be at least 1, got ", value));
    return value;
  }

  absl::Status ParseLevels(const Fields& top, RuleSet& rule_set) const {
    CHURN_ASSIGN_OR_RETURN(YAML::Node levels_node, Required(top, "levels"));
    CHURN_ASSIGN_OR_RETURN(Fields levels,
                           ReadMapping(levels_node, "levels", {"high_min", "medium_min"}));
    CHURN_ASSIGN_OR_RETURN(YAML::Node high_node, Required(levels, "high_min"));
    CHURN_ASSIGN_OR_RETURN(YAML::Node medium_node, Required(levels, "medium_min"));
    CHURN_ASSIGN_OR_RETURN(rule_set.high_min, ReadInt(high_node, "levels.high_min"));
    CHURN_ASSIGN_OR_RETURN(rule_set.medium_min, ReadInt(medium_node, "levels.medium_min"));

    const std::string got =
        absl::StrCat(" (need 0 < medium_min < high_min <= max_score; got medium_min ", rule_set.medium_min,
                     ", high_min ", rule_set.high_min, ", max_score ", rule_set.max_score, ")");
    if (rule_set.medium_min <= 0) {
      return Error(medium_node, "levels.medium_min", absl::StrCat("must be above 0", got));
    }
    if (rule_set.high_min <= rule_set.medium_min) {
      return Error(high_node, "levels.high_min", absl::StrCat("must be above medium_min", got));
    }
    if (rule_set.high_min > rule_set.max_score) {
      return Error(high_node, "levels.high_min", absl::StrCat("must not exceed max_score", got));
    }
    return absl::OkStatus();
  }

  absl::Status ParseRules(const Fields& top, RuleSet& rule_set) const {
    CHURN_ASSIGN_OR_RETURN(YAML::Node rules_node, Required(top, "rules"));
    if (!rules_node.IsSequence()) {
      return Error(rules_node, "rules",
                   absl::StrCat("expected a list of rules, got ", NodeTypeName(rules_node)));
    }
    if (rules_node.size() == 0) return Error(rules_node, "rules", "must hold at least one rule");
    for (std::size_t i = 0; i < rules_node.size(); ++i) {
      const std::string path = absl::StrCat("rules[", i, "]");
      CHURN_ASSIGN_OR_RETURN(Rule rule, ParseRule(rules_node[i], path));
      for (const Rule& earlier : rule_set.rules) {
        if (earlier.id == rule.id) {
          return Error(rules_node[i]["id"], path + ".id", absl::StrCat("duplicate rule id '", rule.id, "'"));
        }
      }
      rule_set.rules.push_back(std::move(rule));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Rule> ParseRule(const YAML::Node& node, const std::string& path) const {
    CHURN_ASSIGN_OR_RETURN(Fields fields,
                           ReadMapping(node, path, {"id", "label", "signal", "tiers"}));
    Rule rule;
    CHURN_ASSIGN_OR_RETURN(YAML::Node id_node, Required(fields, "id"));
    CHURN_ASSIGN_OR_RETURN(rule.id, ReadId(id_node, fields.PathOf("id")));
    if (std::optional<YAML::Node> label_node = fields.Find("label")) {
      CHURN_ASSIGN_OR_RETURN(rule.label, ReadText(*label_node, fields.PathOf("label")));
    } else {
      rule.label = LabelFromRuleId(rule.id);
    }

    CHURN_ASSIGN_OR_RETURN(YAML::Node signal_node, Required(fields, "signal"));
    CHURN_ASSIGN_OR_RETURN(std::string signal_name,
                           ReadScalar(signal_node, fields.PathOf("signal"), "a signal name"));
    const SignalSpec* signal = FindSignal(signal_name);
    if (signal == nullptr) {
      return Error(signal_node, fields.PathOf("signal"),
                   absl::StrCat("unknown signal '", signal_name, "' (known: ", SignalNameList(), ")"));
    }
    rule.signal = signal->kind;

    CHURN_ASSIGN_OR_RETURN(YAML::Node tiers_node, Required(fields, "tiers"));
    const std::string tiers_path = fields.PathOf("tiers");
    if (!tiers_node.IsSequence()) {
      return Error(tiers_node, tiers_path,
                   absl::StrCat("expected a list of tiers, got ", NodeTypeName(tiers_node)));
    }
    if (tiers_node.size() == 0) return Error(tiers_node, tiers_path, "must hold at least one tier");
    if (signal->comparison == Comparison::kBoolean && tiers_node.size() != 1) {
      return Error(
          tiers_node, tiers_path,
          absl::StrCat("'", signal->name, "' is a boolean signal: its rule has exactly one tier, got ",
                       tiers_node.size()));
    }
    for (std::size_t i = 0; i < tiers_node.size(); ++i) {
      const std::string tier_path = absl::StrCat(tiers_path, "[", i, "]");
      CHURN_ASSIGN_OR_RETURN(Tier tier, ParseTier(tiers_node[i], tier_path, *signal));
      for (const Tier& earlier : rule.tiers) {
        if (earlier.id == tier.id) {
          return Error(tiers_node[i]["id"], tier_path + ".id",
                       absl::StrCat("duplicate tier id '", tier.id, "'"));
        }
      }
      // Tiers are tried in order and the first match wins, so a tier that is not strictly
      // stricter than the one before it could never fire.
      if (!rule.tiers.empty()) {
        const double previous = rule.tiers.back().threshold;
        if (signal->comparison == Comparison::kAtLeast && !(tier.threshold < previous)) {
          return Error(
              tiers_node[i]["min"], tier_path + ".min",
              absl::StrCat("tiers of a '>=' rule need strictly descending 'min' values (",
                           FormatThreshold(tier.threshold), " follows ", FormatThreshold(previous), ")"));
        }
        if (signal->comparison == Comparison::kAtMost && !(tier.threshold > previous)) {
          return Error(
              tiers_node[i]["max"], tier_path + ".max",
              absl::StrCat("tiers of a '<=' rule need strictly ascending 'max' values (",
                           FormatThreshold(tier.threshold), " follows ", FormatThreshold(previous), ")"));
        }
      }
      rule.tiers.push_back(std::move(tier));
    }
    return rule;
  }

  absl::StatusOr<Tier> ParseTier(const YAML::Node& node, const std::string& path,
                                 const SignalSpec& signal) const {
    CHURN_ASSIGN_OR_RETURN(Fields fields,
                           ReadMapping(node, path, {"id", "min", "max", "points", "reason"}));
    Tier tier;
    CHURN_ASSIGN_OR_RETURN(YAML::Node id_node, Required(fields, "id"));
    CHURN_ASSIGN_OR_RETURN(tier.id, ReadId(id_node, fields.PathOf("id")));

    const std::optional<YAML::Node> min_node = fields.Find("min");
    const std::optional<YAML::Node> max_node = fields.Find("max");
    switch (signal.comparison) {
      case Comparison::kAtLeast: {
        if (max_node.has_value()) {
          return Error(
              *max_node, fields.PathOf("max"),
              absl::StrCat("'", signal.name, "' rules fire when value >= min: use 'min', not 'max'"));
        }
        if (!min_node.has_value()) {
          return Error(node, fields.PathOf("min"), absl::StrCat("missing required key 'min'"));
        }
        CHURN_ASSIGN_OR_RETURN(tier.threshold, ReadFiniteNumber(*min_node, fields.PathOf("min")));
        break;
      }
      case Comparison::kAtMost: {
        if (min_node.has_value()) {
          return Error(
              *min_node, fields.PathOf("min"),
              absl::StrCat("'", signal.name, "' rules fire when value <= max: use 'max', not 'min'"));
        }
        if (!max_node.has_value()) {
          return Error(node, fields.PathOf("max"), absl::StrCat("missing required key 'max'"));
        }
        CHURN_ASSIGN_OR_RETURN(tier.threshold, ReadFiniteNumber(*max_node, fields.PathOf("max")));
        break;
      }
      case Comparison::kBoolean:
        if (min_node.has_value() || max_node.has_value()) {
          const absl::string_view key = min_node.has_value() ? "min" : "max";
          return Error(min_node.has_value() ? *min_node : *max_node, fields.PathOf(key),
                       absl::StrCat("'", signal.name, "' is a boolean signal: its tier takes no threshold"));
        }
        break;
    }

    CHURN_ASSIGN_OR_RETURN(YAML::Node points_node, Required(fields, "points"));
    CHURN_ASSIGN_OR_RETURN(tier.points, ReadInt(points_node, fields.PathOf("points")));
    if (tier.points < 0) {
      return Error(points_node, fields.PathOf("points"),
                   absl::StrCat("must not be negative, got ", tier.points));
    }

    CHURN_ASSIGN_OR_RETURN(YAML::Node reason_node, Required(fields, "reason"));
    CHURN_ASSIGN_OR_RETURN(tier.reason, ReadText(reason_node, fields.PathOf("reason")));
    CHURN_RETURN_IF_ERROR(
        CheckPlaceholders(reason_node, fields.PathOf("reason"), tier.reason, signal));
    return tier;
  }

  // Every '{' must open a placeholder this signal can fill, so a typo is caught at load time
  // instead of showing up verbatim in a customer's reasons.
  absl::Status CheckPlaceholders(const YAML::Node& node, const std::string& path, absl::string_view text,
                                 const SignalSpec& signal) const {
    for (std::size_t open = text.find('{'); open != absl::string_view::npos;
         open = text.find('{', open + 1)) {
      const std::size_t close = text.find('}', open + 1);
      if (close == absl::string_view::npos) {
        return Error(node, path,
                     absl::StrCat("unterminated placeholder at offset ", open, " in '", text, "'"));
      }
      const absl::string_view name = text.substr(open, close - open + 1);
      unsigned placeholder = 0;
      if (name == "{pct}") placeholder = kPct;
      if (name == "{count}") placeholder = kCount;
      if (name == "{value}") placeholder = kValue;
      if (placeholder == 0) {
        return Error(node, path,
                     absl::StrCat("unknown placeholder '", name, "' (known: {pct}, {count}, {value})"));
      }
      if ((signal.placeholders & placeholder) == 0) {
        return Error(node, path,
                     absl::StrCat("placeholder '", name, "' is not available for signal '", signal.name,
                                  "' (available: ", PlaceholderList(signal.placeholders), ")"));
      }
      open = close;
    }
    return absl::OkStatus();
  }

  absl::Status ParseActionGroups(const Fields& top, RuleSet& rule_set) const {
    CHURN_ASSIGN_OR_RETURN(YAML::Node groups_node, Required(top, "action_groups"));
    if (!groups_node.IsSequence()) {
      return Error(groups_node, "action_groups",
                   absl::StrCat("expected a list of action groups, got ", NodeTypeName(groups_node)));
    }
    for (std::size_t i = 0; i < groups_node.size(); ++i) {
      const std::string path = absl::StrCat("action_groups[", i, "]");
      CHURN_ASSIGN_OR_RETURN(ActionGroup group, ParseActionGroup(groups_node[i], path, rule_set));
      for (const ActionGroup& earlier : rule_set.action_groups) {
        if (earlier.id == group.id) {
          return Error(groups_node[i]["id"], path + ".id",
                       absl::StrCat("duplicate action group id '", group.id, "'"));
        }
      }
      rule_set.action_groups.push_back(std::move(group));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<ActionGroup> ParseActionGroup(const YAML::Node& node, const std::string& path,
                                               const RuleSet& rule_set) const {
    CHURN_ASSIGN_OR_RETURN(Fields fields, ReadMapping(node, path, {"id", "when", "actions"}));
    ActionGroup group;
    CHURN_ASSIGN_OR_RETURN(YAML::Node id_node, Required(fields, "id"));
    CHURN_ASSIGN_OR_RETURN(group.id, ReadId(id_node, fields.PathOf("id")));

    CHURN_ASSIGN_OR_RETURN(YAML::Node when_node, Required(fields, "when"));
    CHURN_ASSIGN_OR_RETURN(group.when,
                           ReadTextList(when_node, fields.PathOf("when"), "rule references"));
    for (std::size_t i = 0; i < group.when.size(); ++i) {
      CHURN_RETURN_IF_ERROR(CheckRuleReference(
          when_node[i], absl::StrCat(fields.PathOf("when"), "[", i, "]"), group.when[i], rule_set));
    }

    CHURN_ASSIGN_OR_RETURN(YAML::Node actions_node, Required(fields, "actions"));
    CHURN_ASSIGN_OR_RETURN(group.actions,
                           ReadTextList(actions_node, fields.PathOf("actions"), "action texts"));
    return group;
  }

  absl::StatusOr<std::vector<std::string>> ReadTextList(const YAML::Node& node, const std::string& path,
                                                        absl::string_view what) const {
    if (!node.IsSequence()) {
      return Error(node, path, absl::StrCat("expected a list of ", what, ", got ", NodeTypeName(node)));
    }
    if (node.size() == 0) return Error(node, path, absl::StrCat("must hold at least one of the ", what));
    std::vector<std::string> texts;
    texts.reserve(node.size());
    for (std::size_t i = 0; i < node.size(); ++i) {
      CHURN_ASSIGN_OR_RETURN(std::string text, ReadText(node[i], absl::StrCat(path, "[", i, "]")));
      texts.push_back(std::move(text));
    }
    return texts;
  }

  // "rule" or "rule/tier", both of which must exist.
  absl::Status CheckRuleReference(const YAML::Node& node, const std::string& path,
                                  absl::string_view reference, const RuleSet& rule_set) const {
    const std::size_t slash = reference.find('/');
    const absl::string_view rule_id = reference.substr(0, slash);
    const auto rule = std::find_if(rule_set.rules.begin(), rule_set.rules.end(),
                                   [&](const Rule& r) { return r.id == rule_id; });
    if (rule == rule_set.rules.end()) {
      return Error(node, path, absl::StrCat("unknown rule '", rule_id, "'"));
    }
    if (slash == absl::string_view::npos) return absl::OkStatus();
    const absl::string_view tier_id = reference.substr(slash + 1);
    const bool tier_exists =
        std::any_of(rule->tiers.begin(), rule->tiers.end(), [&](const Tier& t) { return t.id == tier_id; });
    if (!tier_exists) {
      return Error(node, path, absl::StrCat("unknown tier '", tier_id, "' of rule '", rule_id, "'"));
    }
    return absl::OkStatus();
  }

  std::string source_name_;
};

// Sees the parser's events without building nodes; only where documents start matters.
class DocumentCounter : public YAML::EventHandler {
 public:
  int documents() const { return static_cast<int>(starts_.size()); }
  const YAML::Mark& start_of(int document) const { return starts_[static_cast<std::size_t>(document)]; }
  // yaml-cpp 0.7 "finds" document after document at the same spot when it cannot read on.
  bool stuck() const { return starts_.size() >= 2 && starts_.back().pos == starts_[starts_.size() - 2].pos; }

  void OnDocumentStart(const YAML::Mark& mark) override { starts_.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
  }
  void OnMapEnd() override {}

 private:
  std::vector<YAML::Mark> starts_;
};

}  // namespace

absl::StatusOr<RuleSet> ParseRuleSet(std::string_view yaml_text, std::string_view source_name) {
  RuleSetParser parser(source_name);
  const std::string text(yaml_text);
  // yaml-cpp reports syntax errors (and misuse) by throwing; nothing may escape this library.
  try {
    // Count documents first, stopping early: YAML::LoadAll of yaml-cpp 0.7 loops forever,
    // allocating, on some malformed input such as a stray ',' (jbeder/yaml-cpp#1040, #1319).
    std::istringstream count_stream(text);
    YAML::Parser counting_parser(count_stream);
    DocumentCounter counter;
    while (counter.documents() < 3 && !counter.stuck() && counting_parser.HandleNextDocument(counter)) {
    }
    if (counter.stuck()) {
      const YAML::Mark& at = counter.start_of(counter.documents() - 1);
      const bool in_text = at.pos >= 0 && static_cast<std::size_t>(at.pos) < text.size();
      return parser.Error(at, "",
                          in_text ? absl::StrCat("invalid YAML: unexpected '",
                                                 text.substr(static_cast<std::size_t>(at.pos), 1), "'")
                                  : std::string("invalid YAML: unexpected text"));
    }
    if (counter.documents() == 0) {
      return parser.Error(YAML::Mark::null_mark(), "",
                          "the rule set is empty (expected a mapping with version, rules, ...)");
    }
    if (counter.documents() > 1) {
      return parser.Error(counter.start_of(1), "", "expected one YAML document, found a second one here");
    }
    return parser.Parse(YAML::Load(text));
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp reports this as "bad file"; say what is actually wrong.
    return parser.Error(e.mark, "", absl::StrCat("invalid YAML: nesting deeper than ", e.depth(), " levels"));
  } catch (const YAML::Exception& e) {
    return parser.Error(e.mark, "", absl::StrCat("invalid YAML: ", e.msg));
  } catch (const std::exception& e) {
    return parser.Error(YAML::Mark::null_mark(), "", absl::StrCat("cannot read YAML: ", e.what()));
  }
}

std::string LabelFromRuleId(std::string_view rule_id) {
  std::string label(rule_id);
  std::replace(label.begin(), label.end(), '_', ' ');
  if (!label.empty()) label[0] = absl::ascii_toupper(static_cast<unsigned char>(label[0]));
  return label;
}

std::map<std::string, std::string> RuleLabels(const RuleSet& rule_set) {
  std::map<std::string, std::string> labels;
  for (const Rule& rule : rule_set.rules) labels.emplace(rule.id, rule.label);
  return labels;
}

absl::StatusOr<RuleSet> LoadRuleSetFile(const std::string& path) {
  std::error_code error;
  const bool exists = std::filesystem::exists(path, error);
  if (!exists && !error) return absl::NotFoundError(absl::StrCat(path, ": rule file not found"));
  if (std::filesystem::is_directory(path, error)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory, not a rule file"));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::UnavailableError(absl::StrCat(path, ": cannot open rule file"));
  std::ostringstream contents;
  contents << file.rdbuf();
  if (file.bad()) return absl::UnavailableError(absl::StrCat(path, ": cannot read rule file"));
  return ParseRuleSet(contents.str(), path);
}

const RuleSet& DefaultRuleSet() {
  static const RuleSet* const kDefault = [] {
    absl::StatusOr<RuleSet> parsed = ParseRuleSet(DefaultRuleSetYaml(), "config/scoring.yaml (built in)");
    if (!parsed.ok()) {
      // The embedded file is checked by the tests; reaching this is a build of a broken config.
      std::fprintf(stderr, "FATAL: the built-in scoring rules are invalid: %s\n",
                   std::string(parsed.status().message()).c_str());
      std::abort();
    }
    // Never destroyed: callers may hold the reference during static destruction.
    return new RuleSet(*std::move(parsed));
  }();
  return *kDefault;
}

}  // namespace churn::scoring
