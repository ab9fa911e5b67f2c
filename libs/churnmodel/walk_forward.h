#pragma once
// Training the churn model without looking ahead. The as-of dates form a grid (from, from + step,
// ... to); a row is a customer of a date's population with its features then and its label (a
// first churn event within the horizon after the date, as in libs/backtest).
//
// Walk-forward evaluation: every grid date D whose own horizon has closed by the end of the data
// is scored by a model trained only on grid dates D' with D' + horizon <= D (labels known on D),
// beside the rules on the same rows. The pooled result is the training report.
//
// The model returned is then fit on every grid date whose horizon closed by the end of the data.

#include <optional>

#include "absl/status/statusor.h"
#include "backtest/backtest.h"
#include "churnmodel/booster.h"
#include "churnmodel/churn_model.h"
#include "dataset/loader.h"
#include "scoring/rule_set.h"
#include "signals/signal_history.h"

namespace churn::churnmodel {

struct TrainOptions {
  dataset::Day from = 0;
  dataset::Day to = 0;
  int step_days = 30;
  int horizon_days = 90;
  TrainingParams params;
  backtest::BootstrapOptions bootstrap;
  dataset::LoadOptions load;
};

struct TrainResult {
  ChurnModel model;
  backtest::BacktestReport walk_forward;  // rules and model on the walk-forward dates
};

// `history` must hold long views and every grid date.
absl::StatusOr<TrainResult> TrainWalkForward(const SignalHistory& history,
                                             const scoring::RuleSet& rules,
                                             const TrainOptions& options);
absl::StatusOr<TrainResult> TrainWalkForward(const dataset::DataFiles& files,
                                             const scoring::RuleSet& rules,
                                             const TrainOptions& options);

// A backtest scorer from a trained model (BacktestReport::model).
backtest::PopulationScorer ModelScorer(const ChurnModel& model);

}  // namespace churn::churnmodel
