#include "playbook/checklist.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scored.h"

namespace churn::playbook {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Score;
using testing::Signals;
using testing::WorkedExampleHigh;

std::vector<std::string> StepIds(const std::vector<ChecklistStep>& steps) {
  std::vector<std::string> ids;
  for (const ChecklistStep& step : steps) ids.push_back(step.id);
  return ids;
}

TEST(Checklist, WorkedExampleGivesAnOrderedDeduplicatedPlan) {
  std::vector<ChecklistStep> steps = BuildChecklist(WorkedExampleHigh());
  // usage_drop and churn_intent both ask for the check-in and success criteria: once each.
  EXPECT_THAT(StepIds(steps),
              ElementsAre("schedule_check_in", "confirm_resolution_plan", "value_review",
                          "confirm_success_criteria", "escalate_repeat_issues",
                          "activate_key_features", "follow_up"));
  for (size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(steps[i].step, static_cast<int>(i) + 1);
    if (i > 0) {
      EXPECT_GE(steps[i].due_in_days, steps[i - 1].due_in_days);
    }
  }
  EXPECT_EQ(steps.front().title, "Schedule a check-in to reset goals");
  EXPECT_EQ(steps.front().due_in_days, 1);  // High risk: tomorrow
  EXPECT_THAT(steps.front().detail, HasSubstr("Usage fell 60% (200 -> 80 events"));
  EXPECT_EQ(steps.back().title, "Follow up in 7 days");
  EXPECT_EQ(steps.back().due_in_days, 7);
  EXPECT_THAT(steps[1].detail, HasSubstr("6 tickets in the last 30 days"));
}

TEST(Checklist, LowerRiskGetsLaterDueDates) {
  CustomerSignals s = Signals("S-2");
  s.usage_prev30d = 100;
  s.usage_30d = 75;
  s.usage_drop_pct = 0.25;  // 12 points: Low
  std::vector<ChecklistStep> steps = BuildChecklist(Score(s));
  EXPECT_THAT(StepIds(steps), ElementsAre("schedule_check_in", "confirm_success_criteria",
                                          "activate_key_features", "follow_up"));
  EXPECT_EQ(steps[0].due_in_days, 5);
}

TEST(Checklist, TrialAndDowngradeSteps) {
  CustomerSignals s = Signals("S-3");
  s.is_trial = true;
  s.downgrade_flag = true;
  std::vector<ChecklistStep> steps = BuildChecklist(Score(s));
  EXPECT_THAT(StepIds(steps),
              ElementsAre("value_gap_call", "guided_onboarding", "confirm_success_criteria",
                          "activate_key_features", "follow_up"));
}

TEST(Checklist, SatisfactionEscalationAndErrors) {
  CustomerSignals s = Signals("S-4");
  s.satisfaction_score = 1.5;
  s.escalation_flag = true;
  s.errors_30d = 12;
  s.tickets_30d = 1;
  std::vector<ChecklistStep> steps = BuildChecklist(Score(s));
  EXPECT_THAT(StepIds(steps),
              ElementsAre("confirm_resolution_plan", "review_errors", "recovery_plan",
                          "escalate_repeat_issues", "follow_up"));
  EXPECT_THAT(steps[0].detail, HasSubstr("1 ticket in the last 30 days, at least one escalated"));
  EXPECT_THAT(steps[1].detail, HasSubstr("12 product errors"));
  EXPECT_THAT(steps[2].detail, HasSubstr("1.5/5"));
}

TEST(Checklist, NoFiredRuleMeansMaintainTouchpoints) {
  std::vector<ChecklistStep> steps = BuildChecklist(Score(Signals("S-5")));
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].id, "maintain_touchpoints");
  EXPECT_EQ(steps[0].step, 1);
  EXPECT_EQ(steps[0].due_in_days, 30);
}

TEST(Checklist, UnknownRuleIdsStillGetACheckInAndFollowUp) {
  reports::ScoredCustomer customer = Score(Signals("S-6"));
  customer.assessment.fired_rules.push_back({"custom_rule", "t", 30, "Custom reason"});
  customer.assessment.top_reasons = "Custom reason";
  customer.assessment.risk_level = scoring::RiskLevel::kMedium;
  std::vector<ChecklistStep> steps = BuildChecklist(customer);
  EXPECT_THAT(StepIds(steps), ElementsAre("schedule_check_in", "follow_up"));
  EXPECT_THAT(steps[0].detail, HasSubstr("Custom reason"));
}

TEST(Checklist, IsDeterministic) {
  auto first = BuildChecklist(WorkedExampleHigh());
  auto second = BuildChecklist(WorkedExampleHigh());
  ASSERT_EQ(first.size(), second.size());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].id, second[i].id);
    EXPECT_EQ(first[i].detail, second[i].detail);
  }
}

}  // namespace
}  // namespace churn::playbook
