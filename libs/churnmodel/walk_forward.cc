#include "churnmodel/walk_forward.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "backtest/backtest_report.h"
#include "churnmodel/features.h"
#include "status/status_macros.h"

namespace churn::churnmodel {
namespace {

using dataset::Day;

struct LabelledRows {
  FeatureMatrix features;
  std::vector<float> labels;
};

// The rows of each grid date, built once, whatever number of models train on them.
class TrainingRows {
 public:
  TrainingRows(const SignalHistory& history, int horizon_days)
      : history_(history), horizon_days_(horizon_days) {}

  absl::StatusOr<const LabelledRows*> Of(Day as_of) {
    if (auto it = rows_.find(as_of); it != rows_.end()) return &it->second;
    CHURN_ASSIGN_OR_RETURN(PopulationSignals population, history_.SignalsAsOf(as_of));
    LabelledRows rows;
    rows.features.columns = Features().size();
    for (size_t i = 0; i < population.customers.size(); ++i) {
      CHURN_ASSIGN_OR_RETURN(std::vector<float> row, FeatureRow(population.customers[i]));
      rows.features.values.insert(rows.features.values.end(), row.begin(), row.end());
      const int32_t account =
          history_.data().subscriptions[population.subscription_index[i]].account_index;
      // The population has no churn on or before the date: the first churn date is after it.
      bool label = false;
      if (account != dataset::kNoIndex && !history_.churn_dates()[account].empty()) {
        label = history_.churn_dates()[account].front() <= as_of + horizon_days_;
      }
      rows.labels.push_back(label ? 1.0F : 0.0F);
    }
    return &rows_.emplace(as_of, std::move(rows)).first->second;
  }

  // Every row of `dates`, pooled.
  absl::StatusOr<LabelledRows> Pooled(const std::vector<Day>& dates) {
    LabelledRows pooled;
    pooled.features.columns = Features().size();
    for (const Day day : dates) {
      CHURN_ASSIGN_OR_RETURN(const LabelledRows* rows, Of(day));
      pooled.features.values.insert(pooled.features.values.end(), rows->features.values.begin(),
                                    rows->features.values.end());
      pooled.labels.insert(pooled.labels.end(), rows->labels.begin(), rows->labels.end());
    }
    return pooled;
  }

 private:
  const SignalHistory& history_;
  int horizon_days_;
  std::map<Day, LabelledRows> rows_;
};

absl::StatusOr<Booster> Fit(const LabelledRows& rows, const TrainingParams& params) {
  int64_t positives = 0;
  for (const float label : rows.labels) positives += label > 0 ? 1 : 0;
  if (positives == 0 || positives == static_cast<int64_t>(rows.labels.size())) {
    return absl::FailedPreconditionError(
        absl::StrCat("the training rows (", rows.labels.size(), ") have ",
                     positives == 0 ? "no churned customer" : "only churned customers",
                     ": nothing to learn from"));
  }
  return Booster::Train(rows.features, rows.labels, params);
}

}  // namespace

backtest::PopulationScorer ModelScorer(const ChurnModel& model) {
  return [&model](const PopulationSignals& population) {
    return model.Probabilities(population.customers);
  };
}

absl::StatusOr<TrainResult> TrainWalkForward(const SignalHistory& history,
                                             const scoring::RuleSet& rules,
                                             const TrainOptions& options) {
  if (!history.has_long_views()) {
    return absl::FailedPreconditionError("the signal history was loaded without long views");
  }
  backtest::BacktestOptions grid;
  grid.from = options.from;
  grid.to = options.to;
  grid.step_days = options.step_days;
  grid.horizon_days = options.horizon_days;
  grid.bootstrap = options.bootstrap;
  CHURN_ASSIGN_OR_RETURN(std::vector<Day> dates, backtest::AsOfDates(grid));
  const std::optional<Day> data_end = history.data_end();
  if (!data_end) return absl::FailedPreconditionError("the data has no dated rows");
  const int h = options.horizon_days;

  // Grid dates whose labels are known by the end of the data.
  std::vector<Day> labelled;
  for (const Day day : dates) {
    if (day + h <= *data_end) labelled.push_back(day);
  }
  // Walk-forward dates: labelled, and at least one grid date's horizon closed by them.
  std::vector<Day> evaluated;
  for (const Day day : labelled) {
    if (dates.front() + h <= day) evaluated.push_back(day);
  }
  if (evaluated.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no as-of date can be evaluated walk-forward: an evaluated date D needs a training date "
        "D' with D' + ",
        h, " days <= D and its own horizon closed by the end of the data (",
        dataset::FormatDate(*data_end), "); use an earlier --from, a later --to or more history"));
  }

  TrainingRows rows(history, h);
  backtest::BacktestOptions walk = grid;
  walk.from = evaluated.front();
  walk.to = evaluated.back();
  const backtest::PopulationScorer walk_forward_scorer =
      [&](const PopulationSignals& population) -> absl::StatusOr<std::vector<double>> {
    std::vector<Day> training;
    for (const Day day : dates) {
      if (day + h <= population.as_of) training.push_back(day);
    }
    CHURN_ASSIGN_OR_RETURN(LabelledRows pooled, rows.Pooled(training));
    CHURN_ASSIGN_OR_RETURN(Booster booster, Fit(pooled, options.params));
    FeatureMatrix matrix;
    matrix.columns = Features().size();
    for (const CustomerSignals& customer : population.customers) {
      CHURN_ASSIGN_OR_RETURN(std::vector<float> row, FeatureRow(customer));
      matrix.values.insert(matrix.values.end(), row.begin(), row.end());
    }
    return booster.Predict(matrix);
  };
  CHURN_ASSIGN_OR_RETURN(backtest::BacktestReport report,
                         backtest::RunBacktest(history, rules, walk, walk_forward_scorer));
  report.model_note = absl::StrCat(
      "Walk-forward: each as-of date was scored by a model trained only on the grid dates D' "
      "with D' + ",
      h, " days <= it (labels known by then); the rules on the same rows.");

  CHURN_ASSIGN_OR_RETURN(LabelledRows all, rows.Pooled(labelled));
  CHURN_ASSIGN_OR_RETURN(Booster booster, Fit(all, options.params));
  ModelMetadata metadata;
  metadata.features = FeatureNames();
  metadata.horizon_days = h;
  metadata.step_days = options.step_days;
  metadata.training_dates = labelled;
  metadata.trained_through = labelled.back() + h;
  metadata.data_end = data_end;
  metadata.training_rows = static_cast<int64_t>(all.labels.size());
  for (const float label : all.labels) metadata.training_positives += label > 0 ? 1 : 0;
  metadata.params = options.params;
  metadata.training_report = {{"walk_forward", backtest::ToJson(report)}};
  return TrainResult{ChurnModel(std::move(metadata), std::move(booster)), std::move(report)};
}

absl::StatusOr<TrainResult> TrainWalkForward(const dataset::DataFiles& files,
                                             const scoring::RuleSet& rules,
                                             const TrainOptions& options) {
  backtest::BacktestOptions grid;
  grid.from = options.from;
  grid.to = options.to;
  grid.step_days = options.step_days;
  grid.horizon_days = options.horizon_days;
  CHURN_ASSIGN_OR_RETURN(std::vector<Day> dates, backtest::AsOfDates(grid));
  CHURN_ASSIGN_OR_RETURN(SignalHistory history,
                         SignalHistory::Load(files, dates, options.load, {.long_views = true}));
  return TrainWalkForward(history, rules, options);
}

}  // namespace churn::churnmodel
