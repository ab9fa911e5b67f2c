#include "scoring/rules_dry_run.h"

#include <string>

#include "gtest/gtest.h"

namespace churn::scoring {
namespace {

// The defaults with the trial rule worth 30 instead of 8.
RuleSet CandidateWithHeavierTrial() {
  std::string yaml(DefaultRuleSetYaml());
  const std::string from = "{id: trial, points: 8,";
  const size_t at = yaml.find(from);
  EXPECT_NE(at, std::string::npos);
  yaml.replace(at, from.size(), "{id: trial, points: 30,");
  absl::StatusOr<RuleSet> rules = ParseRuleSet(yaml, "candidate.yaml");
  EXPECT_TRUE(rules.ok()) << rules.status();
  return *rules;
}

TEST(RulesDryRun, ReportsWhatACandidateWouldChangeWithoutApplyingIt) {
  CustomerSignals trial;
  trial.customer_id = "S-trial";
  trial.is_trial = true;
  trial.tickets_30d = 3;  // 10 + 8 = 18 Low now; 10 + 30 = 40 Medium with the candidate
  CustomerSignals steady;
  steady.customer_id = "S-steady";
  steady.tickets_30d = 3;

  const RulesDryRun dry_run =
      DryRunRules(DefaultRuleSet(), CandidateWithHeavierTrial(), {trial, steady});
  ASSERT_EQ(dry_run.customers.size(), 2u);
  EXPECT_EQ(dry_run.customers[0].before.risk_score, 18);
  EXPECT_EQ(dry_run.customers[0].after.risk_score, 40);
  EXPECT_TRUE(dry_run.customers[0].changed);
  EXPECT_FALSE(dry_run.customers[1].changed);
  EXPECT_EQ(dry_run.summary.customers, 2);
  EXPECT_EQ(dry_run.summary.changed, 1);
  EXPECT_EQ(dry_run.summary.level_changed, 1);
  EXPECT_EQ(dry_run.summary.score_up, 1);
  EXPECT_EQ((dry_run.summary.transitions.at({RiskLevel::kLow, RiskLevel::kMedium})), 1);
  // The current rules are untouched.
  EXPECT_EQ(ScoreCustomer(DefaultRuleSet(), trial).risk_score, 18);
}

}  // namespace
}  // namespace churn::scoring
