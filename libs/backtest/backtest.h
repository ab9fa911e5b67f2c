#pragma once
// A backtest of the rule score: the customers as they looked on past dates,
// scored, against what happened next. For each as-of date D the as-of
// population (signals/signal_history.h) is scored; a customer's label is 1 when
// its account's first churn event after D falls within (D, D + horizon]. All
// dates are pooled for the metrics.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backtest/bootstrap.h"
#include "backtest/lead_time.h"
#include "dataset/loader.h"
#include "scoring/rule_set.h"
#include "signals/signal_history.h"

namespace churn::backtest {

struct BacktestOptions {
  dataset::Day from = 0;
  dataset::Day to = 0;
  int step_days = 30;
  int horizon_days = 90;
  BootstrapOptions bootstrap;
  dataset::LoadOptions load;
};

// The as-of dates: from, from + step, ... up to and including `to`.
absl::StatusOr<std::vector<dataset::Day>> AsOfDates(const BacktestOptions& options);

struct AtK {
  std::string k;  // "10", "50", "100", "1%", "5%"
  int64_t rows = 0;
  std::optional<double> precision;
  std::optional<double> lift;
};

// How well one score ranks and flags, for the rules and for a trained model
// (BacktestReport::model) alike. A model has no levels of its own: its "High"
// on a date is its top N customers, N being how many the rules put at High that
// day (likewise High+Medium), so both flag lists have the same length.
struct ScoreEvaluation {
  std::optional<double> roc_auc;
  std::optional<ConfidenceInterval> roc_auc_ci95;
  std::optional<double> pr_auc;
  std::optional<ConfidenceInterval> pr_auc_ci95;
  std::optional<double> precision_high, recall_high, f1_high;
  std::optional<double> precision_high_medium, recall_high_medium, f1_high_medium;
  std::vector<AtK> at_k;
  LeadTime lead_time;
};

struct RuleFiring {
  std::string rule;  // "usage_drop" (any tier) or "usage_drop/high"
  int64_t fired = 0;
  int64_t churned = 0;
  std::optional<double> churn_rate;
  std::optional<double> lift;
};

struct CalibrationBin {
  std::string label;  // "High", or "decile 1" (highest scores)
  int64_t rows = 0;
  int64_t churned = 0;
  std::optional<double> churn_rate;
  double min_score = 0, max_score = 0;
};

struct BacktestReport {
  std::vector<dataset::Day> as_of_dates;
  std::vector<int64_t> rows_per_date;
  int horizon_days = 0;
  int step_days = 0;
  int64_t rows = 0;       // customer x as-of date
  int64_t customers = 0;  // distinct customers in any population
  int64_t positives = 0;
  double base_rate = 0;
  // Latest date in the data (usage, tickets, churn events); labels after it are
  // unknown.
  std::optional<dataset::Day> data_end;
  ScoreEvaluation rules;
  std::optional<ScoreEvaluation> model;  // a trained model beside the rules, same rows
  std::string model_note;  // which dates the model was evaluated on and why (set by the caller)
  std::vector<RuleFiring> rule_firing;            // each rule, then each of its tiers
  std::vector<CalibrationBin> level_calibration;  // Low, Medium, High
  // Decile 1 = highest scores; ties stay together, so tied deciles merge (and
  // are omitted).
  std::vector<CalibrationBin> decile_calibration;
  bool informative = false;
  std::string informative_text;
  dataset::LoadReport load;  // the tables read, with their warnings (duplicate ids, orphans)
};

absl::StatusOr<BacktestReport> RunBacktest(const dataset::DataFiles& files,
                                           const scoring::RuleSet& rules,
                                           const BacktestOptions& options);

// A second score beside the rules (a trained model): one churn probability per
// member of the population, in its order.
using PopulationScorer =
    std::function<absl::StatusOr<std::vector<double>>(const PopulationSignals&)>;

// From an already loaded history (its dates must include AsOfDates(options)).
// With `model`, BacktestReport::model evaluates it on the same rows.
absl::StatusOr<BacktestReport> RunBacktest(const SignalHistory& history,
                                           const scoring::RuleSet& rules,
                                           const BacktestOptions& options,
                                           const PopulationScorer& model = nullptr);

}  // namespace churn::backtest
