// The compact form (indices and numbers) expands to exactly the assessment ScoreCustomer writes.
#include "scoring/compact_assessment.h"

#include <cstdint>
#include <limits>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scoring/engine.h"
#include "scoring/rule_set.h"

namespace churn::scoring {
namespace {

using ::testing::ElementsAre;

void ExpectSame(const Assessment& expected, const Assessment& actual) {
  EXPECT_EQ(expected.customer_id, actual.customer_id);
  EXPECT_EQ(expected.risk_score, actual.risk_score);
  EXPECT_EQ(expected.risk_level, actual.risk_level);
  ASSERT_EQ(expected.fired_rules.size(), actual.fired_rules.size());
  for (size_t i = 0; i < expected.fired_rules.size(); ++i) {
    EXPECT_EQ(expected.fired_rules[i].rule, actual.fired_rules[i].rule);
    EXPECT_EQ(expected.fired_rules[i].tier, actual.fired_rules[i].tier);
    EXPECT_EQ(expected.fired_rules[i].points, actual.fired_rules[i].points);
    EXPECT_EQ(expected.fired_rules[i].reason, actual.fired_rules[i].reason);
  }
  EXPECT_EQ(expected.reasons, actual.reasons);
  EXPECT_EQ(expected.actions, actual.actions);
  EXPECT_EQ(expected.top_reasons, actual.top_reasons);
  EXPECT_EQ(expected.recommended_actions, actual.recommended_actions);
}

// A spread of customers: every tier of the default rules, none, all at once, odd values.
std::vector<CustomerSignals> Customers() {
  std::vector<CustomerSignals> customers;
  const double drops[] = {
      0, 0.199, 0.2, 0.575, 0.4, 0.6, 0.999, -1, std::numeric_limits<double>::quiet_NaN()};
  int n = 0;
  for (double drop : drops) {
    for (int64_t count :
         {int64_t{0}, int64_t{3}, int64_t{7}, int64_t{12}, int64_t{9007199254740993}}) {
      for (int flags = 0; flags < 8; ++flags) {
        CustomerSignals s;
        s.customer_id = "sub-" + std::to_string(n++);
        s.usage_drop_pct = drop;
        s.tickets_30d = count;
        s.errors_30d = count / 2 + 1;
        s.churn_intent_30d = flags & 1;
        s.escalation_flag = (flags & 2) != 0;
        s.downgrade_flag = (flags & 4) != 0;
        s.is_trial = count == 3;
        if (flags > 3) s.satisfaction_score = 0.5 * flags - 1.5;
        customers.push_back(s);
      }
    }
  }
  return customers;
}

TEST(CompactAssessmentTest, ExpandsToTheFullAssessmentWithTheDefaultRules) {
  const RuleSet& rules = DefaultRuleSet();
  const RulesTexts texts = BuildRulesTexts(rules);
  for (const CustomerSignals& s : Customers()) {
    SCOPED_TRACE(s.customer_id);
    ExpectSame(ScoreCustomer(rules, s),
               ExpandAssessment(texts, ScoreCustomerCompact(rules, s), s.customer_id));
  }
}

TEST(CompactAssessmentTest, ExpandsEveryPlaceholderKindAndTheCaps) {
  // {value} on satisfaction and on a ratio, {value} and {count} on a count, one reason
  // and one action kept, a custom separator.
  absl::StatusOr<RuleSet> rules = ParseRuleSet(R"(version: 1
max_score: 50
levels: {high_min: 20, medium_min: 10}
max_reasons: 1
max_actions: 1
separator: " | "
rules:
  - id: drop
    signal: usage_drop_pct
    tiers:
      - {id: any, min: 0.1, points: 30, reason: "drop {value} / {pct}%"}
  - id: tickets
    signal: tickets_30d
    tiers:
      - {id: many, min: 2, points: 30, reason: "{value} {count}"}
  - id: sat
    signal: satisfaction_score
    tiers:
      - {id: low, max: 2.5, points: 5, reason: "sat {value}"}
  - id: trial
    signal: is_trial
    tiers:
      - {id: yes, points: 5, reason: "trial"}
action_groups:
  - {id: a, when: [tickets], actions: ["call", "write"]}
  - {id: b, when: [drop/any], actions: ["visit"]}
default_action: "wait"
)",
                                               "test");
  ASSERT_TRUE(rules.ok()) << rules.status();
  const RulesTexts texts = BuildRulesTexts(*rules);
  EXPECT_THAT(texts.actions, ElementsAre("call", "write", "visit", "wait"));
  EXPECT_EQ(texts.tiers[1].reading, ReasonReading::kCount);
  EXPECT_EQ(texts.tiers[0].reading, ReasonReading::kValue);
  int fired = 0;
  for (CustomerSignals s : Customers()) {
    SCOPED_TRACE(s.customer_id);
    s.is_trial = s.tickets_30d == 7;
    const Assessment full = ScoreCustomer(*rules, s);
    fired += static_cast<int>(full.fired_rules.size());
    ExpectSame(full, ExpandAssessment(texts, ScoreCustomerCompact(*rules, s), s.customer_id));
  }
  EXPECT_GT(fired, 100);
}

}  // namespace
}  // namespace churn::scoring
