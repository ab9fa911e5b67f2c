// Loading and validating the scoring rules: the defaults, every kind of bad file, custom files.
#include "scoring/rule_set.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scoring/engine.h"
#include "testing/scratch_dir.h"

namespace churn::scoring {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kSource[] = "test.yaml";

// The default YAML with exactly one occurrence of `from` replaced by `to`.
std::string DefaultsWith(std::string_view from, std::string_view to) {
  std::string text(DefaultRuleSetYaml());
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' is not in the default rules";
  if (at == std::string::npos) return text;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << "'" << from << "' is ambiguous";
  text.replace(at, from.size(), to);
  return text;
}

// 1-based line of the first occurrence of `needle`.
int LineOf(std::string_view text, std::string_view needle) {
  const std::size_t at = text.find(needle);
  if (at == std::string_view::npos) return -1;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

// --- The defaults ---------------------------------------------------------------------------

TEST(DefaultRules, EmbeddedYamlIsConfigScoringYaml) {
  EXPECT_EQ(DefaultRuleSetYaml(), ReadFile(std::string(CHURN_SOURCE_DIR) + "/config/scoring.yaml"));
}

TEST(DefaultRules, ParseAndMatchTheProductTables) {
  const absl::StatusOr<RuleSet> parsed = ParseRuleSet(DefaultRuleSetYaml(), "defaults");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const RuleSet& rules = *parsed;
  EXPECT_EQ(rules.version, 1);
  EXPECT_EQ(rules.max_score, 100);
  EXPECT_EQ(rules.high_min, 60);
  EXPECT_EQ(rules.medium_min, 30);
  EXPECT_EQ(rules.max_reasons, 3);
  EXPECT_EQ(rules.max_actions, 3);
  EXPECT_EQ(rules.reason_separator, "; ");
  EXPECT_EQ(rules.default_action, "Maintain regular touchpoints and monitor health signals");

  std::vector<std::string> summary;
  for (const Rule& rule : rules.rules) {
    for (const Tier& tier : rule.tiers) {
      summary.push_back(absl::StrCat(rule.id, "/", tier.id, " ", static_cast<int>(rule.signal), " ",
                                     tier.threshold, " ", tier.points, " ", tier.reason));
    }
  }
  EXPECT_THAT(summary,
              ElementsAre("usage_drop/severe 0 0.6 40 Usage dropped {pct}% (30d vs prior)",
                          "usage_drop/large 0 0.4 28 Usage dropped {pct}% (30d vs prior)",
                          "usage_drop/moderate 0 0.2 12 Usage dropped {pct}% (30d vs prior)",
                          "support_load/high 1 6 18 High support load ({count} tickets in 30d)",
                          "support_load/elevated 1 3 10 High support load ({count} tickets in 30d)",
                          "error_volume/high 2 10 15 High error volume ({count} errors in 30d)",
                          "error_volume/elevated 2 3 8 High error volume ({count} errors in 30d)",
                          "churn_intent/detected 3 1 22 Customer language suggests cancellation risk",
                          "satisfaction/low 4 2 12 Low satisfaction score (1-2/5)",
                          "satisfaction/medium 4 3 6 Medium satisfaction score (3/5)",
                          "escalation/escalated 5 0 10 Ticket escalation (higher risk)",
                          "downgrade/downgraded 6 0 12 Recent downgrade (value risk)",
                          "trial/trial 7 0 8 Trial customer (activation risk)"));

  std::vector<std::string> groups;
  for (const ActionGroup& group : rules.action_groups) {
    groups.push_back(absl::StrCat(group.id, " when ", absl::StrJoin(group.when, ","), ": ",
                                  absl::StrJoin(group.actions, " | ")));
  }
  EXPECT_THAT(
      groups,
      ElementsAre(
          "usage_drop when usage_drop: Schedule a check-in to reset goals | "
          "Recommend 1-2 key features to activate this week",
          "support when support_load,escalation: Confirm resolution plan and close the loop | "
          "Escalate repeat issues with a clear timeline",
          "cancellation when churn_intent: Offer a value review (ROI + quick wins) | "
          "Create a 2-week success plan with milestones",
          "trial when trial: Offer guided onboarding session | Share onboarding checklist + milestones",
          "low_satisfaction when satisfaction/low: Follow up on dissatisfaction with a recovery plan | "
          "Offer proactive support for the next 7 days",
          "downgrade when downgrade: Run a value-gap call to understand missing needs | "
          "Offer training or enablement for key workflows"));
}

TEST(DefaultRules, DefaultRuleSetIsParsedOnce) {
  EXPECT_EQ(&DefaultRuleSet(), &DefaultRuleSet());
  EXPECT_EQ(DefaultRuleSet().rules.size(), 8u);
}

TEST(LoadRuleSetFile, ReadsTheConfigFile) {
  const absl::StatusOr<RuleSet> loaded =
      LoadRuleSetFile(std::string(CHURN_SOURCE_DIR) + "/config/scoring.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->rules.size(), DefaultRuleSet().rules.size());
}

TEST(LoadRuleSetFile, MissingFileIsNotFound) {
  const std::string path = ::testing::TempDir() + "/no-such-dir/scoring.yaml";
  const absl::StatusOr<RuleSet> loaded = LoadRuleSetFile(path);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(loaded.status().message()), HasSubstr(path));
}

TEST(LoadRuleSetFile, DirectoryIsAnError) {
  const absl::StatusOr<RuleSet> loaded = LoadRuleSetFile(::testing::TempDir());
  EXPECT_FALSE(loaded.ok());
}

TEST(LoadRuleSetFile, ErrorsNameTheFile) {
  const churn::testing::ScratchDir scratch;
  const std::string path = (scratch / "bad_scoring.yaml").string();
  std::ofstream(path) << DefaultsWith("points: 40,", "points: -40,");
  const absl::StatusOr<RuleSet> loaded = LoadRuleSetFile(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(std::string(loaded.status().message()), StartsWith(path + ":"));
  std::filesystem::remove(path);
}

// --- A custom rule file changes everything: nothing is hard-coded -----------------------------

constexpr char kCustomRules[] = R"yaml(
version: 1
max_score: 60
levels: {high_min: 50, medium_min: 10}
max_reasons: 1
max_actions: 2
separator: " | "
rules:
  - id: tickets
    signal: tickets_30d
    tiers:
      - {id: many, min: 10, points: 45, reason: "Swamped: {count} tickets"}
      - {id: few,  min: 2,  points: 0,  reason: "A few tickets"}
      - {id: one,  min: 1,  points: 3,  reason: "One ticket ({value})"}
  - id: drop
    signal: usage_drop_pct
    tiers:
      - {id: any, min: 0.05, points: 20, reason: "Drop of {pct}% ({value})"}
  - id: csat
    signal: satisfaction_score
    tiers:
      - {id: poor, max: 4.5, points: 1, reason: "CSAT {value}"}
action_groups:
  - id: tickets
    when: [tickets/many]
    actions: [Call them, Fix the bugs, Send flowers]
  - id: usage
    when: [drop, tickets/one]
    actions: [Train the team]
default_action: Nothing to do
)yaml";

TEST(CustomRules, ThresholdsPointsTextsAndLimitsComeFromTheFile) {
  const churn::testing::ScratchDir scratch;
  const std::string path = (scratch / "custom_scoring.yaml").string();
  std::ofstream(path) << kCustomRules;
  const absl::StatusOr<RuleSet> loaded = LoadRuleSetFile(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();

  CustomerSignals s;
  s.customer_id = "x";
  s.tickets_30d = 12;
  s.usage_drop_pct = 0.061;
  s.satisfaction_score = 4.25;
  const Assessment a = ScoreCustomer(*loaded, s);
  EXPECT_EQ(a.risk_score, 60);  // 45 + 20 + 1 = 66, capped at 60
  EXPECT_EQ(a.risk_level, RiskLevel::kHigh);
  ASSERT_EQ(a.fired_rules.size(), 3u);
  EXPECT_EQ(a.fired_rules[1].reason, "Drop of 6% (0.06)");
  EXPECT_EQ(a.fired_rules[2].reason, "CSAT 4.25");
  EXPECT_EQ(a.top_reasons, "Swamped: 12 tickets");               // max_reasons 1
  EXPECT_EQ(a.recommended_actions, "Call them | Fix the bugs");  // max_actions 2

  // The default rules would call 12 tickets + a 6% drop + CSAT 4.25 an 18-point Low.
  EXPECT_EQ(ScoreCustomer(DefaultRuleSet(), s).risk_score, 18);
}

TEST(CustomRules, FirstMatchingTierWinsEvenWhenItIsWorthNothing) {
  const absl::StatusOr<RuleSet> rules = ParseRuleSet(kCustomRules, kSource);
  ASSERT_TRUE(rules.ok()) << rules.status();
  CustomerSignals s;
  s.tickets_30d = 3;  // "few" (0 points) matches before "one" (3 points)
  const Assessment a = ScoreCustomer(*rules, s);
  EXPECT_EQ(a.risk_score, 0);
  EXPECT_TRUE(a.fired_rules.empty());
  EXPECT_EQ(a.top_reasons, "");
  EXPECT_EQ(a.recommended_actions, "Nothing to do");

  s.tickets_30d = 1;
  const Assessment one = ScoreCustomer(*rules, s);
  EXPECT_EQ(one.top_reasons, "One ticket (1)");
  EXPECT_EQ(one.recommended_actions, "Train the team");
  EXPECT_EQ(one.risk_level, RiskLevel::kLow);
}

TEST(CustomRules, LevelsComeFromTheFile) {
  const absl::StatusOr<RuleSet> rules = ParseRuleSet(kCustomRules, kSource);
  ASSERT_TRUE(rules.ok()) << rules.status();
  CustomerSignals s;
  s.usage_drop_pct = 0.5;  // 20 points: Medium here (medium_min 10), Low under the defaults' 30
  EXPECT_EQ(ScoreCustomer(*rules, s).risk_level, RiskLevel::kMedium);
  s.tickets_30d = 10;  // 65 -> capped 60, above high_min 50
  EXPECT_EQ(ScoreCustomer(*rules, s).risk_level, RiskLevel::kHigh);
}

// --- Driver labels ----------------------------------------------------------------------------

TEST(RuleLabels, TheDefaultRulesNameEveryRule) {
  const std::map<std::string, std::string> labels = RuleLabels(DefaultRuleSet());
  EXPECT_EQ(labels.size(), DefaultRuleSet().rules.size());
  EXPECT_EQ(labels.at("usage_drop"), "Usage drop");
  EXPECT_EQ(labels.at("support_load"), "High support load");
  EXPECT_EQ(labels.at("error_volume"), "High error volume");
  EXPECT_EQ(labels.at("churn_intent"), "Cancellation language");
  EXPECT_EQ(labels.at("satisfaction"), "Low satisfaction score");
  EXPECT_EQ(labels.at("escalation"), "Ticket escalation");
  EXPECT_EQ(labels.at("downgrade"), "Recent downgrade");
  EXPECT_EQ(labels.at("trial"), "Trial customer");
}

TEST(RuleLabels, ALabelComesFromTheFileOrElseFromTheId) {
  absl::StatusOr<RuleSet> relabelled = ParseRuleSet(
      DefaultsWith("label: \"Usage drop\"", "label: \"Usage collapse\""), kSource);
  ASSERT_TRUE(relabelled.ok()) << relabelled.status();
  EXPECT_EQ(RuleLabels(*relabelled).at("usage_drop"), "Usage collapse");

  absl::StatusOr<RuleSet> unlabelled =
      ParseRuleSet(DefaultsWith("    label: \"High support load\"\n", ""), kSource);
  ASSERT_TRUE(unlabelled.ok()) << unlabelled.status();
  EXPECT_EQ(RuleLabels(*unlabelled).at("support_load"), "Support load");

  EXPECT_EQ(LabelFromRuleId("late_payments"), "Late payments");
  EXPECT_EQ(LabelFromRuleId(""), "");
}

// --- Validation errors ------------------------------------------------------------------------

struct BadRules {
  std::string name;
  std::string yaml;
  std::vector<std::string> expected;  // substrings of the error message
  std::string line_of;                // the error must give the line of this text (if set)
};

BadRules Edit(std::string name, std::string_view from, std::string_view to, std::vector<std::string> expected,
              std::string line_of = "") {
  return {std::move(name), DefaultsWith(from, to), std::move(expected), std::move(line_of)};
}

std::vector<BadRules> AllBadRules() {
  return {
      // Unknown and duplicate keys, at every level.
      Edit("unknown top-level key",
           "default_action:", "colour: blue\ndefault_action:", {"colour", "unknown key"}, "colour: blue"),
      Edit("unknown key in levels", "  medium_min: 30\n", "  medium_min: 30\n  low_min: 0\n",
           {"levels.low_min", "unknown key 'low_min'"}, "low_min"),
      Edit("unknown key in a rule", "    signal: errors_30d\n", "    signal: errors_30d\n    weight: 2\n",
           {"rules[2].weight", "unknown key 'weight'"}, "weight: 2"),
      Edit("unknown key in a tier", "{id: severe,   min: 0.60,", "{id: severe,   min: 0.60, weight: 2,",
           {"rules[0].tiers[0].weight", "unknown key 'weight'"}, "weight: 2"),
      Edit("unknown key in an action group", "    when: [trial]\n", "    when: [trial]\n    priority: 1\n",
           {"action_groups[3].priority", "unknown key"}, "priority: 1"),
      Edit("duplicate key", "max_score: 100\n", "max_score: 100\nmax_score: 90\n",
           {"max_score", "duplicate key 'max_score'"}, "max_score: 90"),
      // Missing required keys.
      Edit("missing top-level key", "max_reasons: 3 ", "# max_reasons: 3 ",
           {"max_reasons", "missing required key 'max_reasons'"}),
      Edit("missing tier points", "{id: detected, min: 1, points: 22, ", "{id: detected, min: 1, ",
           {"rules[3].tiers[0].points", "missing required key 'points'"}, "id: detected"),
      Edit("missing tier threshold", "{id: detected, min: 1, ", "{id: detected, ",
           {"rules[3].tiers[0].min", "missing required key 'min'"}, "id: detected"),
      Edit("missing tier reason", "{id: trial, points: 8, reason: \"Trial customer (activation risk)\"}",
           "{id: trial, points: 8}", {"rules[7].tiers[0].reason", "missing"}, "id: trial, points"),
      Edit("missing levels.high_min", "  high_min: 60\n", "", {"levels.high_min", "missing"}),
      Edit("missing action group actions",
           "    when: [downgrade]\n    actions:\n      - \"Run a value-gap call to understand missing "
           "needs\"\n"
           "      - \"Offer training or enablement for key workflows\"\n",
           "    when: [downgrade]\n", {"action_groups[5].actions", "missing"}),
      // Wrong types.
      Edit("integer expected", "max_score: 100", "max_score: lots",
           {"max_score", "expected an integer, got 'lots'"}, "max_score: lots"),
      Edit("fractional points", "points: 40,", "points: 4.5,",
           {"rules[0].tiers[0].points", "expected an integer"}, "points: 4.5"),
      Edit("number expected", "min: 0.60,", "min: high,",
           {"rules[0].tiers[0].min", "expected a number, got 'high'"}, "min: high"),
      Edit("mapping expected", "levels:\n  high_min: 60\n  medium_min: 30\n", "levels: [60, 30]\n",
           {"levels", "expected a mapping, got a list"}, "levels: [60"),
      Edit("list expected", "when: [usage_drop]", "when: usage_drop",
           {"action_groups[0].when", "expected a list"}, "when: usage_drop"),
      Edit("string expected", "reason: \"Trial customer (activation risk)\"", "reason: [Trial]",
           {"rules[7].tiers[0].reason", "expected a string, got a list"}, "reason: [Trial]"),
      Edit("null instead of a string",
           "default_action: \"Maintain regular touchpoints and monitor health signals\"",
           "default_action:", {"default_action", "expected a string, got null"}),
      // Points, thresholds and tier order.
      Edit("negative points", "points: 18,", "points: -18,",
           {"rules[1].tiers[0].points", "must not be negative"}, "points: -18"),
      Edit("ascending >= tiers", "min: 0.40,", "min: 0.70,", {"rules[0].tiers[1].min", "strictly descending"},
           "min: 0.70"),
      Edit("equal >= tiers", "min: 0.40,", "min: 0.60,", {"rules[0].tiers[1].min", "strictly descending"},
           "large,    min: 0.60"),
      Edit("descending <= tiers", "max: 3,", "max: 1.5,", {"rules[4].tiers[1].max", "strictly ascending"},
           "max: 1.5"),
      Edit("equal <= tiers", "max: 3,", "max: 2,", {"rules[4].tiers[1].max", "strictly ascending"},
           "medium, max: 2"),
      Edit("NaN threshold", "min: 0.60,", "min: .nan,", {"rules[0].tiers[0].min", "finite"}, "min: .nan"),
      Edit("plain nan threshold", "min: 0.60,", "min: nan,", {"rules[0].tiers[0].min", "finite"}, "min: nan"),
      Edit("infinite threshold", "min: 10,", "min: .inf,", {"rules[2].tiers[0].min", "finite"}, "min: .inf"),
      Edit("negative infinite threshold", "max: 2,", "max: -.inf,", {"rules[4].tiers[0].max", "finite"},
           "max: -.inf"),
      Edit("overflowing threshold", "min: 6,", "min: 1e999,", {"rules[1].tiers[0].min", "finite"},
           "min: 1e999"),
      Edit(">= rule with max", "{id: detected, min: 1,", "{id: detected, max: 1,",
           {"rules[3].tiers[0].max", "use 'min'"}, "id: detected"),
      Edit("<= rule with min", "{id: low,    max: 2,", "{id: low,    min: 2,",
           {"rules[4].tiers[0].min", "use 'max'"}, "id: low,"),
      Edit("boolean rule with a threshold", "{id: trial, points: 8,", "{id: trial, min: 1, points: 8,",
           {"rules[7].tiers[0].min", "boolean signal"}, "id: trial, min"),
      Edit("boolean rule with two tiers",
           "      - {id: downgraded, points: 12, reason: \"Recent downgrade (value risk)\"}\n",
           "      - {id: downgraded, points: 12, reason: \"Recent downgrade (value risk)\"}\n"
           "      - {id: again, points: 1, reason: \"Again\"}\n",
           {"rules[6].tiers", "exactly one tier"}),
      Edit("no tiers", "      - {id: trial, points: 8, reason: \"Trial customer (activation risk)\"}\n",
           "      []\n", {"rules[7].tiers", "at least one tier"}),
      // Ids and references.
      Edit("duplicate rule id", "  - id: error_volume", "  - id: support_load",
           {"rules[2].id", "duplicate rule id 'support_load'"}, "id: support_load\n    signal: errors"),
      Edit("duplicate tier id", "{id: large,", "{id: severe,",
           {"rules[0].tiers[1].id", "duplicate tier id 'severe'"}, "severe,    min: 0.40"),
      Edit("duplicate action group id", "  - id: downgrade\n    when:", "  - id: trial\n    when:",
           {"action_groups[5].id", "duplicate action group id 'trial'"}, "id: trial\n    when: [downgrade]"),
      Edit("id with a slash", "{id: large,", "{id: \"la/rge\",",
           {"rules[0].tiers[1].id", "invalid id 'la/rge'"}, "la/rge"),
      Edit("unknown signal", "signal: errors_30d", "signal: errors_31d",
           {"rules[2].signal", "unknown signal 'errors_31d'"}, "errors_31d"),
      Edit("action group names an unknown rule", "when: [trial]", "when: [trail]",
           {"action_groups[3].when[0]", "unknown rule 'trail'"}, "[trail]"),
      Edit("action group names an unknown tier", "when: [satisfaction/low]", "when: [satisfaction/lowest]",
           {"action_groups[4].when[0]", "unknown tier 'lowest'"}, "satisfaction/lowest"),
      Edit("action group with no rules", "when: [trial]", "when: []",
           {"action_groups[3].when", "at least one"}, "when: []"),
      // Levels and limits.
      Edit("high below medium", "high_min: 60", "high_min: 20", {"levels.high_min", "above medium_min"},
           "high_min: 20"),
      Edit("high equal to medium", "high_min: 60", "high_min: 30", {"levels.high_min", "above medium_min"},
           "high_min: 30"),
      Edit("medium not above zero", "medium_min: 30", "medium_min: 0", {"levels.medium_min", "above 0"},
           "medium_min: 0"),
      Edit("high above max_score", "high_min: 60", "high_min: 101", {"levels.high_min", "max_score"},
           "high_min: 101"),
      Edit("max_score below 1", "max_score: 100", "max_score: 0", {"max_score", "at least 1"},
           "max_score: 0"),
      Edit("no reasons shown", "max_reasons: 3", "max_reasons: 0", {"max_reasons", "at least 1"},
           "max_reasons: 0"),
      Edit("negative actions shown", "max_actions: 3", "max_actions: -1", {"max_actions", "at least 1"},
           "max_actions: -1"),
      // Texts and placeholders.
      Edit("empty reason", "reason: \"Trial customer (activation risk)\"", "reason: \"\"",
           {"rules[7].tiers[0].reason", "must not be empty"}, "reason: \"\""),
      Edit("blank reason", "reason: \"Trial customer (activation risk)\"", "reason: \"   \"",
           {"rules[7].tiers[0].reason", "must not be empty"}, "reason: \"   \""),
      Edit("empty action", "\"Offer guided onboarding session\"", "\"\"",
           {"action_groups[3].actions[0]", "must not be empty"}),
      Edit("empty default action", "\"Maintain regular touchpoints and monitor health signals\"", "\"\"",
           {"default_action", "must not be empty"}, "default_action:"),
      Edit("empty separator", "separator: \"; \"", "separator: \"\"", {"separator", "must not be empty"},
           "separator:"),
      Edit("unknown placeholder", "{id: severe,   min: 0.60, points: 40, reason: \"Usage dropped {pct}%",
           "{id: severe,   min: 0.60, points: 40, reason: \"Usage dropped {percent}%",
           {"rules[0].tiers[0].reason", "unknown placeholder '{percent}'"}, "{percent}"),
      Edit("placeholder of another signal",
           "{id: high,     min: 6, points: 18, reason: \"High support load ({count}",
           "{id: high,     min: 6, points: 18, reason: \"High support load ({pct}",
           {"rules[1].tiers[0].reason", "'{pct}' is not available for signal 'tickets_30d'"}, "({pct}"),
      Edit("placeholder on a boolean", "Trial customer (activation risk)\"}", "Trial customer {value}\"}",
           {"rules[7].tiers[0].reason", "not available for signal 'is_trial'"}, "customer {value}"),
      Edit("unterminated placeholder",
           "reason: \"High error volume ({count} errors in 30d)\"}\n      - {id: elevated",
           "reason: \"High error volume ({count errors in 30d)\"}\n      - {id: elevated",
           {"rules[2].tiers[0].reason", "unterminated placeholder"}, "{count errors"),
      Edit("empty label", "label: \"Trial customer\"", "label: \"\"",
           {"rules[7].label", "must not be empty"}, "label: \"\""),
      Edit("label not a string", "label: \"Trial customer\"", "label: [Trial]",
           {"rules[7].label", "expected a string, got a list"}, "label: [Trial]"),
      // Version.
      Edit("unsupported version", "version: 1", "version: 2", {"version", "unsupported version 2"},
           "version: 2"),
      Edit("non-numeric version", "version: 1", "version: one", {"version", "expected an integer"},
           "version: one"),
      // Shapes of the whole file.
      {"rules not a list",
       "version: 1\nmax_score: 100\nlevels: {high_min: 60, medium_min: 30}\nmax_reasons: 3\n"
       "max_actions: 3\nseparator: x\nrules: {a: 1}\naction_groups: []\ndefault_action: x\n",
       {"rules", "expected a list of rules, got a mapping"},
       "rules:"},
      {"no rules",
       "version: 1\nmax_score: 100\nlevels: {high_min: 60, medium_min: 30}\nmax_reasons: 3\n"
       "max_actions: 3\nseparator: x\nrules: []\naction_groups: []\ndefault_action: x\n",
       {"rules", "at least one rule"},
       "rules:"},
      {"root is a list", "- version: 1\n- rules: []\n", {"expected a mapping, got a list"}, "- version"},
      {"root is a scalar", "hello", {"expected a mapping, got a scalar"}, "hello"},
      {"key is not a name", "? [a, b]\n: 1\n", {"keys must be plain names"}, "[a, b]"},
      {"empty file", "", {"empty"}, ""},
      {"comments only", "# nothing here\n", {"empty"}, ""},
      {"two documents", std::string(DefaultRuleSetYaml()) + "---\nversion: 1\n", {"one YAML document"}, ""},
  };
}

TEST(RuleSetValidation, EveryBadFileGivesAnErrorNamingTheKeyAndLine) {
  for (const BadRules& bad : AllBadRules()) {
    SCOPED_TRACE(bad.name);
    const absl::StatusOr<RuleSet> parsed = ParseRuleSet(bad.yaml, kSource);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string message(parsed.status().message());
    EXPECT_THAT(message, StartsWith(kSource));
    for (const std::string& expected : bad.expected) EXPECT_THAT(message, HasSubstr(expected));
    if (!bad.line_of.empty()) {
      const int line = LineOf(bad.yaml, bad.line_of);
      ASSERT_GT(line, 0) << bad.line_of;
      EXPECT_THAT(message, StartsWith(absl::StrCat(kSource, ":", line, ":")));
    }
  }
}

TEST(RuleSetValidation, YamlSyntaxErrorsAreErrorsNotExceptions) {
  const std::vector<std::string> broken = {
      "rules: [unclosed\n",
      "version: 1\n  bad indent: [\n",
      "a: {b: c\n",
      "a: *undefined_alias\n",
      "key: \"unterminated\n",
      "\t- tab\n",
      std::string("\xff\xfe\0garbage", 10),
      std::string(20000, '['),
      std::string(20000, '{'),
      // yaml-cpp 0.7's LoadAll loops forever on these (jbeder/yaml-cpp#1040).
      ",",
      ", a\n",
      "- a\n, b\n",
      "version: 1\n, max_score: 100\n",
  };
  for (const std::string& yaml : broken) {
    SCOPED_TRACE(yaml.substr(0, 40));
    absl::StatusOr<RuleSet> parsed = absl::UnknownError("not run");
    EXPECT_NO_THROW(parsed = ParseRuleSet(yaml, kSource));
    EXPECT_FALSE(parsed.ok());
    EXPECT_THAT(std::string(parsed.status().message()), StartsWith(kSource));
  }
}

TEST(RuleSetValidation, StrayCommaIsReportedWhereItIs) {
  const absl::StatusOr<RuleSet> parsed = ParseRuleSet("- a\n, b\n", kSource);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(std::string(parsed.status().message()), "test.yaml:2:1: invalid YAML: unexpected ','");
}

TEST(RuleSetValidation, TooDeepNestingIsAnError) {
  const absl::StatusOr<RuleSet> parsed = ParseRuleSet(std::string(5000, '['), kSource);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("nesting deeper than"));
}

TEST(RuleSetValidation, SyntaxErrorNamesTheLine) {
  const absl::StatusOr<RuleSet> parsed = ParseRuleSet("version: 1\nmax_score: 100\nrules: [a, b\n", kSource);
  ASSERT_FALSE(parsed.ok());
  const std::string message(parsed.status().message());
  EXPECT_THAT(message, HasSubstr("invalid YAML"));
  EXPECT_THAT(message, ::testing::MatchesRegex("test\\.yaml:[0-9]+:[0-9]+: .*"));
}

}  // namespace
}  // namespace churn::scoring
