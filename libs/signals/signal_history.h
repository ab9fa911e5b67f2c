#pragma once
// Signals as of past dates: the data set parsed once, then, for any of the
// requested dates, the population of that day (signals/as_of_population.h) with
// both windows ending on it. Only usage and tickets dated on or before the date
// count. Used by backtests and replays.

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "dataset/loader.h"
#include "signals/customer_signals.h"
#include "signals/multi_date_usage_windows.h"

namespace churn {

struct PopulationSignals {
  dataset::Day as_of = 0;
  std::vector<int32_t> subscription_index;  // parallel to customers
  std::vector<CustomerSignals> customers;   // customers[i].churned: a churn event after as_of
};

class SignalHistory {
 public:
  // Loads the tables once, collecting usage windows for every date in
  // `as_of_dates`.
  static absl::StatusOr<SignalHistory> Load(const dataset::DataFiles& files,
                                            std::vector<dataset::Day> as_of_dates,
                                            const dataset::LoadOptions& options = {});

  // The as-of population and its signals; InvalidArgument for a date not given
  // to Load.
  absl::StatusOr<PopulationSignals> SignalsAsOf(dataset::Day as_of) const;

  const dataset::Dataset& data() const { return *data_; }
  // Per account, ascending churn dates.
  const std::vector<std::vector<dataset::Day>>& churn_dates() const { return churn_dates_; }
  const std::vector<dataset::Day>& dates() const { return usage_->dates(); }

 private:
  std::unique_ptr<dataset::Dataset> data_;
  std::unique_ptr<MultiDateUsageWindows> usage_;
  std::vector<std::vector<dataset::Day>> churn_dates_;
};

// One date: the population on `as_of` with its signals (loads the folder's
// tables).
absl::StatusOr<PopulationSignals> BuildPopulationSignalsAsOf(
    const std::string& data_dir, dataset::Day as_of, const dataset::LoadOptions& options = {});

}  // namespace churn
