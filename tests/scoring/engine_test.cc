// The scoring engine against docs/PRODUCT.md "Scoring rules", using the built-in default rules.
#include "scoring/engine.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scoring/rule_set.h"

namespace churn::scoring {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kDefaultAction[] = "Maintain regular touchpoints and monitor health signals";
constexpr char kUsageActions[] =
    "Schedule a check-in to reset goals; Recommend 1-2 key features to activate this week";
constexpr char kSupportActions[] =
    "Confirm resolution plan and close the loop; Escalate repeat issues with a clear timeline";

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

CustomerSignals Quiet() {
  CustomerSignals signals;
  signals.customer_id = "sub-1";
  return signals;
}

Assessment Score(const CustomerSignals& signals) { return ScoreCustomer(DefaultRuleSet(), signals); }

int ScoreWithUsageDrop(double drop) {
  CustomerSignals s = Quiet();
  s.usage_drop_pct = drop;
  return Score(s).risk_score;
}
int ScoreWithTickets(int64_t tickets) {
  CustomerSignals s = Quiet();
  s.tickets_30d = tickets;
  return Score(s).risk_score;
}
int ScoreWithErrors(int64_t errors) {
  CustomerSignals s = Quiet();
  s.errors_30d = errors;
  return Score(s).risk_score;
}
int ScoreWithIntent(int64_t flagged_tickets) {
  CustomerSignals s = Quiet();
  s.churn_intent_30d = flagged_tickets;
  return Score(s).risk_score;
}
Assessment ScoreWithSatisfaction(std::optional<double> satisfaction) {
  CustomerSignals s = Quiet();
  s.satisfaction_score = satisfaction;
  return Score(s);
}

// --- docs/PRODUCT.md worked examples---------------------------------------------------------

TEST(WorkedExample, SevereDropHighSupportLoadAndIntentIsHigh) {
  CustomerSignals s = Quiet();
  s.usage_drop_pct = 0.60;
  s.tickets_30d = 6;
  s.churn_intent_30d = 1;
  const Assessment a = Score(s);
  EXPECT_EQ(a.risk_score, 80);
  EXPECT_EQ(a.risk_level, RiskLevel::kHigh);
  EXPECT_EQ(a.top_reasons,
            "Usage dropped 60% (30d vs prior); High support load (6 tickets in 30d); "
            "Customer language suggests cancellation risk");
  EXPECT_EQ(a.recommended_actions,
            "Schedule a check-in to reset goals; Recommend 1-2 key features to activate this week; "
            "Confirm resolution plan and close the loop");
  EXPECT_EQ(a.customer_id, "sub-1");
}

TEST(WorkedExample, LargeDropErrorsAndTrialIsMedium) {
  CustomerSignals s = Quiet();
  s.usage_drop_pct = 0.40;
  s.errors_30d = 3;
  s.is_trial = true;
  const Assessment a = Score(s);
  EXPECT_EQ(a.risk_score, 44);
  EXPECT_EQ(a.risk_level, RiskLevel::kMedium);
  EXPECT_EQ(a.top_reasons,
            "Usage dropped 40% (30d vs prior); High error volume (3 errors in 30d); "
            "Trial customer (activation risk)");
  EXPECT_EQ(a.recommended_actions, std::string(kUsageActions) + "; Offer guided onboarding session");
}

TEST(WorkedExample, ThreeTicketsAloneIsLow) {
  CustomerSignals s = Quiet();
  s.tickets_30d = 3;
  const Assessment a = Score(s);
  EXPECT_EQ(a.risk_score, 10);
  EXPECT_EQ(a.risk_level, RiskLevel::kLow);
  EXPECT_EQ(a.top_reasons, "High support load (3 tickets in 30d)");
  EXPECT_EQ(a.recommended_actions, kSupportActions);
}

// --- Rule boundaries ------------------------------------------------------------------------

TEST(UsageDropRule, TiersAtTheirBoundaries) {
  EXPECT_EQ(ScoreWithUsageDrop(0.0), 0);
  EXPECT_EQ(ScoreWithUsageDrop(0.1999), 0);
  EXPECT_EQ(ScoreWithUsageDrop(0.20), 12);
  EXPECT_EQ(ScoreWithUsageDrop(0.2001), 12);
  EXPECT_EQ(ScoreWithUsageDrop(0.3999), 12);
  EXPECT_EQ(ScoreWithUsageDrop(0.40), 28);
  EXPECT_EQ(ScoreWithUsageDrop(0.4001), 28);
  EXPECT_EQ(ScoreWithUsageDrop(0.5999), 28);
  EXPECT_EQ(ScoreWithUsageDrop(0.60), 40);
  EXPECT_EQ(ScoreWithUsageDrop(0.6001), 40);
  EXPECT_EQ(ScoreWithUsageDrop(1.0), 40);
}

TEST(UsageDropRule, BadValuesCountAsNoDrop) {
  EXPECT_EQ(ScoreWithUsageDrop(kNaN), 0);
  EXPECT_EQ(ScoreWithUsageDrop(kInf), 0);
  EXPECT_EQ(ScoreWithUsageDrop(-kInf), 0);
  EXPECT_EQ(ScoreWithUsageDrop(-0.5), 0);  // usage grew
}

TEST(UsageDropRule, PercentIsWholeWithHalvesRoundedUp) {
  auto reason_for = [](double drop) {
    CustomerSignals s = Quiet();
    s.usage_drop_pct = drop;
    return Score(s).top_reasons;
  };
  EXPECT_EQ(reason_for(0.75), "Usage dropped 75% (30d vs prior)");
  EXPECT_EQ(reason_for(0.605), "Usage dropped 61% (30d vs prior)");
  EXPECT_EQ(reason_for(0.6049), "Usage dropped 60% (30d vs prior)");
  // x * 100 lands just below the half for these, so naive rounding would show one less.
  EXPECT_EQ(reason_for(0.575), "Usage dropped 58% (30d vs prior)");
  EXPECT_EQ(reason_for(0.565), "Usage dropped 57% (30d vs prior)");
  EXPECT_EQ(reason_for(0.285), "Usage dropped 29% (30d vs prior)");
  EXPECT_EQ(reason_for(0.625), "Usage dropped 63% (30d vs prior)");
  EXPECT_EQ(reason_for(0.2), "Usage dropped 20% (30d vs prior)");
  EXPECT_EQ(reason_for(0.999), "Usage dropped 100% (30d vs prior)");
  EXPECT_EQ(reason_for(1.0), "Usage dropped 100% (30d vs prior)");
}

TEST(SupportLoadRule, TiersAtTheirBoundaries) {
  EXPECT_EQ(ScoreWithTickets(0), 0);
  EXPECT_EQ(ScoreWithTickets(2), 0);
  EXPECT_EQ(ScoreWithTickets(3), 10);
  EXPECT_EQ(ScoreWithTickets(4), 10);
  EXPECT_EQ(ScoreWithTickets(5), 10);
  EXPECT_EQ(ScoreWithTickets(6), 18);
  EXPECT_EQ(ScoreWithTickets(7), 18);
  EXPECT_EQ(ScoreWithTickets(1000), 18);
}

TEST(SupportLoadRule, ReasonNamesTheCount) {
  CustomerSignals s = Quiet();
  s.tickets_30d = 7;
  EXPECT_EQ(Score(s).top_reasons, "High support load (7 tickets in 30d)");
}

TEST(ErrorVolumeRule, TiersAtTheirBoundaries) {
  EXPECT_EQ(ScoreWithErrors(0), 0);
  EXPECT_EQ(ScoreWithErrors(2), 0);
  EXPECT_EQ(ScoreWithErrors(3), 8);
  EXPECT_EQ(ScoreWithErrors(4), 8);
  EXPECT_EQ(ScoreWithErrors(9), 8);
  EXPECT_EQ(ScoreWithErrors(10), 15);
  EXPECT_EQ(ScoreWithErrors(11), 15);
}

TEST(ErrorVolumeRule, ReasonNamesTheCountAndNoActionGroup) {
  CustomerSignals s = Quiet();
  s.errors_30d = 12;
  const Assessment a = Score(s);
  EXPECT_EQ(a.top_reasons, "High error volume (12 errors in 30d)");
  // Errors alone belong to no action group.
  EXPECT_EQ(a.recommended_actions, kDefaultAction);
}

TEST(ChurnIntentRule, FiresOnceAndDoesNotScale) {
  EXPECT_EQ(ScoreWithIntent(0), 0);
  EXPECT_EQ(ScoreWithIntent(1), 22);
  EXPECT_EQ(ScoreWithIntent(5), 22);
  CustomerSignals s = Quiet();
  s.churn_intent_30d = 5;
  const Assessment a = Score(s);
  EXPECT_EQ(a.top_reasons, "Customer language suggests cancellation risk");
  EXPECT_EQ(a.recommended_actions,
            "Offer a value review (ROI + quick wins); Create a 2-week success plan with milestones");
}

TEST(SatisfactionRule, BandsAtTheirBoundaries) {
  EXPECT_EQ(ScoreWithSatisfaction(1.0).risk_score, 12);
  EXPECT_EQ(ScoreWithSatisfaction(2.0).risk_score, 12);
  EXPECT_EQ(ScoreWithSatisfaction(2.0001).risk_score, 6);
  EXPECT_EQ(ScoreWithSatisfaction(3.0).risk_score, 6);
  EXPECT_EQ(ScoreWithSatisfaction(3.0001).risk_score, 0);
  EXPECT_EQ(ScoreWithSatisfaction(5.0).risk_score, 0);
  EXPECT_EQ(ScoreWithSatisfaction(2.0).top_reasons, "Low satisfaction score (1-2/5)");
  EXPECT_EQ(ScoreWithSatisfaction(2.5).top_reasons, "Medium satisfaction score (3/5)");
}

TEST(SatisfactionRule, AbsentOrUnusableScoreIsSkipped) {
  EXPECT_EQ(ScoreWithSatisfaction(std::nullopt).risk_score, 0);
  EXPECT_EQ(ScoreWithSatisfaction(kNaN).risk_score, 0);
  EXPECT_EQ(ScoreWithSatisfaction(kInf).risk_score, 0);
  EXPECT_EQ(ScoreWithSatisfaction(-kInf).risk_score, 0);
  EXPECT_THAT(ScoreWithSatisfaction(kNaN).fired_rules, IsEmpty());
  EXPECT_EQ(ScoreWithSatisfaction(std::nullopt).recommended_actions, kDefaultAction);
}

TEST(SatisfactionRule, OnlyTheLowBandGetsTheRecoveryActions) {
  EXPECT_EQ(ScoreWithSatisfaction(2.0).recommended_actions,
            "Follow up on dissatisfaction with a recovery plan; Offer proactive support for the next 7 days");
  EXPECT_EQ(ScoreWithSatisfaction(3.0).recommended_actions, kDefaultAction);
}

TEST(BooleanRules, EachFlagAddsItsPointsReasonAndActions) {
  CustomerSignals escalated = Quiet();
  escalated.escalation_flag = true;
  Assessment a = Score(escalated);
  EXPECT_EQ(a.risk_score, 10);
  EXPECT_EQ(a.top_reasons, "Ticket escalation (higher risk)");
  EXPECT_EQ(a.recommended_actions, kSupportActions);

  CustomerSignals downgraded = Quiet();
  downgraded.downgrade_flag = true;
  a = Score(downgraded);
  EXPECT_EQ(a.risk_score, 12);
  EXPECT_EQ(a.top_reasons, "Recent downgrade (value risk)");
  EXPECT_EQ(
      a.recommended_actions,
      "Run a value-gap call to understand missing needs; Offer training or enablement for key workflows");

  CustomerSignals trial = Quiet();
  trial.is_trial = true;
  a = Score(trial);
  EXPECT_EQ(a.risk_score, 8);
  EXPECT_EQ(a.top_reasons, "Trial customer (activation risk)");
  EXPECT_EQ(a.recommended_actions,
            "Offer guided onboarding session; Share onboarding checklist + milestones");
}

TEST(QuietCustomer, ScoresZeroLowWithTheDefaultAction) {
  const Assessment a = Score(Quiet());
  EXPECT_EQ(a.risk_score, 0);
  EXPECT_EQ(a.risk_level, RiskLevel::kLow);
  EXPECT_THAT(a.fired_rules, IsEmpty());
  EXPECT_THAT(a.reasons, IsEmpty());
  EXPECT_EQ(a.top_reasons, "");
  EXPECT_THAT(a.actions, ElementsAre(kDefaultAction));
  EXPECT_EQ(a.recommended_actions, kDefaultAction);
}

TEST(Signals, LabelAndSegmentFieldsNeverChangeTheScore) {
  CustomerSignals s = Quiet();
  s.churned = true;
  s.arr = 1e9;
  s.plan_tier = "Enterprise";
  s.usage_30d = 0;
  s.usage_prev30d = 1000;  // the score reads usage_drop_pct, not the raw windows
  s.avg_first_response_min = 1e6;
  EXPECT_EQ(Score(s).risk_score, 0);
}

// --- Cap, levels and the audit trail ----------------------------------------------------------

CustomerSignals EverythingFired() {
  CustomerSignals s = Quiet();
  s.usage_drop_pct = 0.9;
  s.tickets_30d = 9;
  s.errors_30d = 20;
  s.churn_intent_30d = 2;
  s.satisfaction_score = 1.5;
  s.escalation_flag = true;
  s.downgrade_flag = true;
  s.is_trial = true;
  return s;
}

TEST(Score, IsCappedAtMaxScoreButTheAuditTrailKeepsEveryRule) {
  const Assessment a = Score(EverythingFired());
  EXPECT_EQ(a.risk_score, 100);  // 40+18+15+22+12+10+12+8 = 137
  EXPECT_EQ(a.risk_level, RiskLevel::kHigh);
  ASSERT_EQ(a.fired_rules.size(), 8u);
  std::vector<std::string> rule_ids;
  int total = 0;
  for (const FiredRule& fired : a.fired_rules) {
    rule_ids.push_back(fired.rule.str() + "/" + fired.tier.str());
    total += fired.points;
  }
  EXPECT_EQ(total, 137);
  EXPECT_THAT(rule_ids, ElementsAre("usage_drop/severe", "support_load/high", "error_volume/high",
                                    "churn_intent/detected", "satisfaction/low", "escalation/escalated",
                                    "downgrade/downgraded", "trial/trial"));
  EXPECT_EQ(a.fired_rules[0].points, 40);
  EXPECT_EQ(a.fired_rules[0].reason, "Usage dropped 90% (30d vs prior)");
  EXPECT_EQ(a.fired_rules[4].reason, "Low satisfaction score (1-2/5)");
}

TEST(Score, AuditTrailRecordsTheTierThatFired) {
  CustomerSignals s = Quiet();
  s.usage_drop_pct = 0.45;
  s.satisfaction_score = 3.0;
  const Assessment a = Score(s);
  ASSERT_EQ(a.fired_rules.size(), 2u);
  EXPECT_EQ(a.fired_rules[0].rule, "usage_drop");
  EXPECT_EQ(a.fired_rules[0].tier, "large");
  EXPECT_EQ(a.fired_rules[0].points, 28);
  EXPECT_EQ(a.fired_rules[1].rule, "satisfaction");
  EXPECT_EQ(a.fired_rules[1].tier, "medium");
  EXPECT_EQ(a.fired_rules[1].points, 6);
}

// Exact scores around the level boundaries, built from the default points.
TEST(RiskLevel, BoundariesAt30And60) {
  CustomerSignals score29 = Quiet();  // errors 15 + satisfaction 3 (6) + trial 8
  score29.errors_30d = 10;
  score29.satisfaction_score = 3;
  score29.is_trial = true;
  CustomerSignals score30 = Quiet();  // escalation 10 + downgrade 12 + trial 8
  score30.escalation_flag = score30.downgrade_flag = score30.is_trial = true;
  CustomerSignals score59 = Quiet();  // errors 15 + intent 22 + escalation 10 + downgrade 12
  score59.errors_30d = 10;
  score59.churn_intent_30d = 1;
  score59.escalation_flag = score59.downgrade_flag = true;
  CustomerSignals score60 = Quiet();  // errors 8 + intent 22 + escalation 10 + downgrade 12 + trial 8
  score60.errors_30d = 3;
  score60.churn_intent_30d = 1;
  score60.escalation_flag = score60.downgrade_flag = score60.is_trial = true;

  EXPECT_EQ(Score(score29).risk_score, 29);
  EXPECT_EQ(Score(score29).risk_level, RiskLevel::kLow);
  EXPECT_EQ(Score(score30).risk_score, 30);
  EXPECT_EQ(Score(score30).risk_level, RiskLevel::kMedium);
  EXPECT_EQ(Score(score59).risk_score, 59);
  EXPECT_EQ(Score(score59).risk_level, RiskLevel::kMedium);
  EXPECT_EQ(Score(score60).risk_score, 60);
  EXPECT_EQ(Score(score60).risk_level, RiskLevel::kHigh);
}

TEST(RiskLevel, Names) {
  EXPECT_EQ(RiskLevelName(RiskLevel::kLow), "Low");
  EXPECT_EQ(RiskLevelName(RiskLevel::kMedium), "Medium");
  EXPECT_EQ(RiskLevelName(RiskLevel::kHigh), "High");
}

// --- Reasons and actions ----------------------------------------------------------------------

TEST(Reasons, FollowRuleOrderAndKeepTheFirstThree) {
  const Assessment a = Score(EverythingFired());
  EXPECT_THAT(a.reasons,
              ElementsAre("Usage dropped 90% (30d vs prior)", "High support load (9 tickets in 30d)",
                          "High error volume (20 errors in 30d)"));
  EXPECT_EQ(a.top_reasons,
            "Usage dropped 90% (30d vs prior); High support load (9 tickets in 30d); "
            "High error volume (20 errors in 30d)");
}

TEST(Reasons, OrderIsRuleOrderNotPointsOrder) {
  CustomerSignals s = Quiet();
  s.is_trial = true;       // rule 8, 8 points
  s.churn_intent_30d = 1;  // rule 4, 22 points
  s.errors_30d = 3;        // rule 3, 8 points
  EXPECT_THAT(Score(s).reasons, ElementsAre("High error volume (3 errors in 30d)",
                                            "Customer language suggests cancellation risk",
                                            "Trial customer (activation risk)"));
}

TEST(Actions, FollowGroupOrderAndKeepTheFirstThree) {
  const Assessment a = Score(EverythingFired());
  EXPECT_THAT(a.actions, ElementsAre("Schedule a check-in to reset goals",
                                     "Recommend 1-2 key features to activate this week",
                                     "Confirm resolution plan and close the loop"));
}

TEST(Actions, GroupOrderIsIndependentOfRuleOrder) {
  // Rules fire as satisfaction(5), downgrade(7), trial(8); groups run trial, low_satisfaction, downgrade.
  CustomerSignals s = Quiet();
  s.satisfaction_score = 1;
  s.downgrade_flag = true;
  s.is_trial = true;
  EXPECT_EQ(Score(s).recommended_actions,
            "Offer guided onboarding session; Share onboarding checklist + milestones; "
            "Follow up on dissatisfaction with a recovery plan");
}

TEST(Actions, SupportGroupIsAddedOnceWhenLoadAndEscalationBothFire) {
  CustomerSignals s = Quiet();
  s.tickets_30d = 6;
  s.escalation_flag = true;
  const Assessment a = Score(s);
  EXPECT_EQ(a.risk_score, 28);
  EXPECT_EQ(a.top_reasons, "High support load (6 tickets in 30d); Ticket escalation (higher risk)");
  EXPECT_THAT(a.actions, ElementsAre("Confirm resolution plan and close the loop",
                                     "Escalate repeat issues with a clear timeline"));

  s.is_trial = true;  // the next group fills the third slot, not a repeat of the support group
  EXPECT_EQ(Score(s).recommended_actions, std::string(kSupportActions) + "; Offer guided onboarding session");
}

TEST(Actions, MediumSatisfactionWithOthersAddsNoRecoveryActions) {
  CustomerSignals s = Quiet();
  s.satisfaction_score = 3;
  s.downgrade_flag = true;
  EXPECT_EQ(
      Score(s).recommended_actions,
      "Run a value-gap call to understand missing needs; Offer training or enablement for key workflows");
}

// --- At-risk order ----------------------------------------------------------------------------

TEST(AtRiskOrder, ScoreDescThenArrDescThenCustomerIdAsc) {
  struct Row {
    Assessment assessment;
    double arr;
  };
  auto row = [](std::string id, int score, double arr) {
    Row r;
    r.assessment.customer_id = std::move(id);
    r.assessment.risk_score = score;
    r.arr = arr;
    return r;
  };
  std::vector<Row> rows = {row("c", 50, 100), row("b", 80, 10),   row("a", 50, 100),
                           row("d", 50, 500), row("e", 50, kNaN), row("f", 90, 0)};
  std::sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) {
    return AtRiskBefore(x.assessment, x.arr, y.assessment, y.arr);
  });
  std::vector<std::string> order;
  for (const Row& r : rows) order.push_back(r.assessment.customer_id);
  EXPECT_THAT(order, ElementsAre("f", "b", "d", "a", "c", "e"));

  const Row same = row("x", 10, 5);
  EXPECT_FALSE(AtRiskBefore(same.assessment, same.arr, same.assessment, same.arr));
}

// --- Determinism ------------------------------------------------------------------------------

TEST(Determinism, SameSignalsGiveIdenticalAssessments) {
  const Assessment first = Score(EverythingFired());
  const Assessment second = Score(EverythingFired());
  EXPECT_EQ(first.top_reasons, second.top_reasons);
  EXPECT_EQ(first.recommended_actions, second.recommended_actions);
  EXPECT_EQ(first.risk_score, second.risk_score);
}

}  // namespace
}  // namespace churn::scoring
