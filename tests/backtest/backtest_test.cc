// The backtest on a small data folder whose every number is worked out by hand,
// the as-of population included.

#include "backtest/backtest.h"

#include "backtest/backtest_report.h"
#include "backtest/backtest_window.h"
#include "backtest/report_comparison.h"
#include "absl/strings/str_replace.h"
#include "scoring/engine.h"
#include "testing/data_folder.h"
#include "gtest/gtest.h"

namespace churn::backtest {
namespace {

dataset::Day D(const char* text) { return *dataset::ParseDate(text); }

// As-of dates 2024-05-01 and 2024-06-01, horizon 60 days.
//  S-1: usage only in the prior window, three low-satisfaction tickets in
//  April -> 62 High
//             on 05-01; nothing in either window on 06-01 -> 0. A-1 churns
//             06-15: labelled on both.
//  S-2: steady usage; an escalated ticket on 05-15 counts on 06-01 only
//  (10 points). S-3: ends 05-15, so only on 05-01; A-3 churns 08-20,
//  outside the horizon then. S-4: A-4 churned 04-10, before both dates:
//  never in the population. S-5: starts 05-20, so only on 06-01; scores
//  10 like S-2 (same account's ticket).
std::map<std::string, std::string> Tables() {
  return {
      {"accounts.csv", "account_id,account_name\nA-1,One\nA-2,Two\nA-3,Three\nA-4,Four\n"},
      {"subscriptions.csv",
       "subscription_id,account_id,start_date,end_date,plan_tier,arr_amount,is_"
       "trial,"
       "downgrade_flag\n"
       "S-1,A-1,2024-01-01,,Pro,1000,False,False\n"
       "S-2,A-2,2024-01-01,,Pro,1000,False,False\n"
       "S-3,A-3,2024-01-01,2024-05-15,Pro,1000,False,False\n"
       "S-4,A-4,2024-01-01,,Pro,1000,False,False\n"
       "S-5,A-2,2024-05-20,,Pro,1000,False,False\n"},
      {"feature_usage.csv",
       "subscription_id,usage_date,usage_count,error_count\n"
       "S-1,2024-03-15,100,0\n"
       "S-2,2024-03-15,50,0\nS-2,2024-04-15,50,0\nS-2,2024-05-15,50,0\n"
       "S-4,2024-03-15,10,0\n"},
      {"churn_events.csv",
       "account_id,churn_date,reason_code\nA-1,2024-06-15,"
       "budget\nA-3,2024-08-20,pricing\n"
       "A-4,2024-04-10,support\n"},
      {"support_tickets.csv",
       "account_id,submitted_at,satisfaction_score,escalation_flag\n"
       "A-1,2024-04-10,1,False\nA-1,2024-04-20,1,False\nA-1,2024-04-25,2,"
       "False\n"
       "A-2,2024-05-15,,True\n"},
  };
}

BacktestReport RunSmallBacktest(const scoring::RuleSet& rules = scoring::DefaultRuleSet()) {
  absl::StatusOr<dataset::DataFiles> files =
      dataset::FindDataFiles(testing::WriteDataFolder("backtest", Tables()));
  EXPECT_TRUE(files.ok()) << files.status();
  BacktestOptions options;
  options.from = D("2024-05-01");
  options.to = D("2024-06-01");
  options.step_days = 31;
  options.horizon_days = 60;
  options.bootstrap.replicates = 200;
  absl::StatusOr<BacktestReport> report = RunBacktest(*files, rules, options);
  EXPECT_TRUE(report.ok()) << report.status();
  return *report;
}

TEST(BacktestTest, PopulationAndLabelsAsOfEachDate) {
  const BacktestReport report = RunSmallBacktest();
  ASSERT_EQ(report.as_of_dates, (std::vector<dataset::Day>{D("2024-05-01"), D("2024-06-01")}));
  EXPECT_EQ(report.rows_per_date, (std::vector<int64_t>{3, 3}));  // S-1,2,3 then S-1,2,5
  EXPECT_EQ(report.rows, 6);
  EXPECT_EQ(report.customers, 4);
  EXPECT_EQ(report.positives, 2);  // S-1 on both dates
  EXPECT_DOUBLE_EQ(report.base_rate, 2.0 / 6);
}

TEST(BacktestTest, MetricsByHand) {
  const BacktestReport report = RunSmallBacktest();
  // Positives score 62 and 0; negatives 0, 0 (05-01) and 10, 10 (06-01). The 62
  // beats all four; the 0 ties two -> (4 + 1) / 8.
  EXPECT_DOUBLE_EQ(*report.rules.roc_auc, 5.0 / 8);
  EXPECT_DOUBLE_EQ(*report.rules.precision_high, 1.0);
  EXPECT_DOUBLE_EQ(*report.rules.recall_high, 0.5);
  EXPECT_DOUBLE_EQ(*report.rules.precision_high_medium, 1.0);  // the 10s are Low
  // Lead time: S-1 High on 05-01, churn 06-15: 45 days.
  EXPECT_EQ(report.rules.lead_time.churned_customers, 1);
  EXPECT_DOUBLE_EQ(*report.rules.lead_time.median, 45);
  EXPECT_DOUBLE_EQ(*report.rules.lead_time.share_caught_30d, 1.0);
  // Calibration: High holds the one 62 (churned); Low the five others, one
  // churned.
  ASSERT_EQ(report.level_calibration.size(), 3u);
  EXPECT_EQ(report.level_calibration[2].label, "High");
  EXPECT_EQ(report.level_calibration[2].rows, 1);
  EXPECT_EQ(report.level_calibration[2].churned, 1);
  EXPECT_EQ(report.level_calibration[0].rows, 5);
  EXPECT_EQ(report.level_calibration[0].churned, 1);
  // Rule firing: escalation fired twice (S-2 and S-5 on 06-01), never on a
  // churned row.
  for (const RuleFiring& rule : report.rule_firing) {
    if (rule.rule == "escalation") {
      EXPECT_EQ(rule.fired, 2);
      EXPECT_EQ(rule.churned, 0);
      EXPECT_DOUBLE_EQ(*rule.lift, 0.0);
    }
    if (rule.rule == "usage_drop/severe") {
      EXPECT_EQ(rule.fired, 1);
      EXPECT_DOUBLE_EQ(*rule.lift, 1.0 / (2.0 / 6));
    }
  }
}

TEST(BacktestTest, JsonCarriesTheAgreedKeys) {
  const nlohmann::ordered_json json = ToJson(RunSmallBacktest());
  for (const char* key : {"base_rate", "informative", "informative_text", "rules", "model",
                          "rule_firing", "calibration"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  const nlohmann::ordered_json& rules = json["rules"];
  for (const char* key : {"roc_auc", "roc_auc_ci95", "pr_auc", "precision_high", "recall_high",
                          "precision_at_k", "lift_at_k", "lead_time_days"}) {
    EXPECT_TRUE(rules.contains(key)) << key;
  }
  EXPECT_EQ(rules["roc_auc_ci95"].size(), 2u);
  EXPECT_TRUE(rules["precision_at_k"].contains("10"));
  EXPECT_TRUE(rules["lift_at_k"].contains("5%"));
  EXPECT_TRUE(json["model"].is_null());
}

// A second score on the same rows: one that reverses the rules ranks worst where they rank best,
// and its flags are as many per date as the rules' High (its top customers).
TEST(BacktestTest, ModelBesideTheRules) {
  absl::StatusOr<dataset::DataFiles> files =
      dataset::FindDataFiles(testing::WriteDataFolder("backtest_model", Tables()));
  ASSERT_TRUE(files.ok()) << files.status();
  BacktestOptions options;
  options.from = D("2024-05-01");
  options.to = D("2024-06-01");
  options.step_days = 31;
  options.horizon_days = 60;
  options.bootstrap.replicates = 200;
  absl::StatusOr<SignalHistory> history =
      SignalHistory::Load(*files, *AsOfDates(options), options.load);
  ASSERT_TRUE(history.ok());
  const scoring::RuleSet rules = scoring::DefaultRuleSet();
  const PopulationScorer same_as_rules = [&](const PopulationSignals& population) {
    std::vector<double> scores;
    for (const CustomerSignals& c : population.customers) {
      scores.push_back(scoring::ScoreCustomer(rules, c).risk_score);
    }
    return absl::StatusOr<std::vector<double>>(scores);
  };
  absl::StatusOr<BacktestReport> same = RunBacktest(*history, rules, options, same_as_rules);
  ASSERT_TRUE(same.ok()) << same.status();
  ASSERT_TRUE(same->model);
  EXPECT_EQ(same->model->roc_auc, same->rules.roc_auc);
  EXPECT_EQ(same->model->precision_high, same->rules.precision_high);
  EXPECT_EQ(same->model->recall_high, same->rules.recall_high);
  EXPECT_EQ(same->model->lead_time.median, same->rules.lead_time.median);

  const PopulationScorer reversed = [&](const PopulationSignals& population) {
    absl::StatusOr<std::vector<double>> scores = same_as_rules(population);
    for (double& score : *scores) score = -score;
    return scores;
  };
  absl::StatusOr<BacktestReport> worse = RunBacktest(*history, rules, options, reversed);
  ASSERT_TRUE(worse.ok());
  EXPECT_DOUBLE_EQ(*worse->model->roc_auc, 1 - *worse->rules.roc_auc);
  EXPECT_DOUBLE_EQ(*worse->model->recall_high, 0);  // its one flag is the rules' lowest score
  EXPECT_FALSE(ToJson(*worse)["model"].is_null());

  const PopulationScorer short_answer = [](const PopulationSignals&) {
    return absl::StatusOr<std::vector<double>>(std::vector<double>{0.5});
  };
  EXPECT_EQ(RunBacktest(*history, rules, options, short_answer).status().code(),
            absl::StatusCode::kInternal);
}

TEST(BacktestTest, RejectsBadDates) {
  BacktestOptions options;
  options.from = D("2024-06-01");
  options.to = D("2024-05-01");
  EXPECT_FALSE(AsOfDates(options).ok());
  options.to = D("2024-07-01");
  options.step_days = 0;
  EXPECT_FALSE(AsOfDates(options).ok());
}

// The escalation worth 40 instead of 10: S-2 and S-5 (escalated, never churned) become
// Medium on 06-01, so High+Medium precision falls from 1 to 1/3; High is untouched.
TEST(ReportComparisonTest, CandidateRulesAgainstTheRulesInForce) {
  const std::string yaml =
      absl::StrReplaceAll(std::string(scoring::DefaultRuleSetYaml()),
                          {{"{id: escalated, points: 10,", "{id: escalated, points: 40,"}});
  ASSERT_NE(yaml, scoring::DefaultRuleSetYaml());
  absl::StatusOr<scoring::RuleSet> candidate = scoring::ParseRuleSet(yaml, "candidate");
  ASSERT_TRUE(candidate.ok()) << candidate.status();
  const ReportComparison comparison =
      CompareReports(RunSmallBacktest(), RunSmallBacktest(*candidate));
  EXPECT_TRUE(comparison.same_rows);
  auto metric = [&](const std::string& name) {
    for (const MetricChange& m : comparison.metrics) {
      if (m.metric == name) return m;
    }
    ADD_FAILURE() << "no metric " << name;
    return MetricChange{};
  };
  EXPECT_DOUBLE_EQ(*metric("precision_high_medium").current, 1.0);
  EXPECT_DOUBLE_EQ(*metric("precision_high_medium").candidate, 1.0 / 3);
  EXPECT_DOUBLE_EQ(*metric("precision_high_medium").change, 1.0 / 3 - 1.0);
  EXPECT_DOUBLE_EQ(*metric("precision_high").change, 0.0);
  EXPECT_TRUE(metric("lift_at_k/10").current.has_value());
  // Rules keep their firing counts: only points changed.
  for (const RuleFiringChange& rule : comparison.rules) {
    EXPECT_EQ(rule.fired_current, rule.fired_candidate) << rule.rule;
  }
  const nlohmann::ordered_json json = ToJson(comparison);
  EXPECT_TRUE(json["same_rows"].get<bool>());
  EXPECT_FALSE(json["metrics"].empty());
  EXPECT_EQ(json["rules"].size(), comparison.rules.size());
}

// A rule only the candidate has is listed after the current ones, with 0 fired before.
TEST(ReportComparisonTest, RuleOnlyInTheCandidate) {
  BacktestReport current, candidate;
  current.rule_firing = {{"a", 5, 1, 0.2, 1.0}};
  candidate.rule_firing = {{"a", 4, 1, 0.25, 1.25}, {"b", 3, 3, 1.0, 5.0}};
  const ReportComparison comparison = CompareReports(current, candidate);
  ASSERT_EQ(comparison.rules.size(), 2u);
  EXPECT_EQ(comparison.rules[0].rule, "a");
  EXPECT_DOUBLE_EQ(*comparison.rules[0].lift_change, 0.25);
  EXPECT_EQ(comparison.rules[1].rule, "b");
  EXPECT_EQ(comparison.rules[1].fired_current, 0);
  EXPECT_EQ(comparison.rules[1].fired_candidate, 3);
  EXPECT_FALSE(comparison.rules[1].lift_change.has_value());
}

TEST(BacktestWindowTest, DefaultsToTheLastYearWithCompleteLabels) {
  absl::StatusOr<BacktestWindow> window =
      ResolveBacktestWindow(std::nullopt, std::nullopt, 0, 0, D("2024-12-31"));
  ASSERT_TRUE(window.ok()) << window.status();
  EXPECT_EQ(window->step_days, 30);
  EXPECT_EQ(window->horizon_days, 90);
  EXPECT_EQ(window->to, D("2024-12-31") - 90);
  EXPECT_EQ(window->from, window->to - 360);  // 12 steps: 13 as-of dates
}

TEST(BacktestWindowTest, GivenDatesWinAndBadOnesAreRefused) {
  absl::StatusOr<BacktestWindow> window =
      ResolveBacktestWindow(D("2024-01-01"), D("2024-03-01"), 7, 30, std::nullopt);
  ASSERT_TRUE(window.ok()) << window.status();
  EXPECT_EQ(window->from, D("2024-01-01"));
  EXPECT_EQ(window->to, D("2024-03-01"));
  EXPECT_EQ(window->step_days, 7);
  EXPECT_EQ(window->horizon_days, 30);
  EXPECT_FALSE(ResolveBacktestWindow(D("2024-03-01"), D("2024-01-01"), 0, 0, std::nullopt).ok());
  EXPECT_FALSE(ResolveBacktestWindow(std::nullopt, std::nullopt, 0, 0, std::nullopt).ok());
  EXPECT_FALSE(ResolveBacktestWindow(std::nullopt, std::nullopt, -1, 0, D("2024-12-31")).ok());
  // Daily for two years is more work than one request may ask.
  EXPECT_FALSE(ResolveBacktestWindow(D("2022-01-01"), D("2024-01-01"), 1, 0, std::nullopt).ok());
}

}  // namespace
}  // namespace churn::backtest
