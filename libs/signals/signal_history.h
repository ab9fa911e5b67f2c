#pragma once
// Signals as of past dates: the data set parsed once, then, for any of the
// requested dates, the population of that day (signals/as_of_population.h) with
// both windows ending on it. Only usage and tickets dated on or before the date
// count. Used by backtests and replays.

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "dataset/loader.h"
#include "signals/customer_signals.h"
#include "signals/multi_date_long_usage.h"
#include "signals/multi_date_usage_windows.h"
#include "signals/signal_builder.h"

namespace churn {

struct PopulationSignals {
  dataset::Day as_of = 0;
  std::vector<int32_t> subscription_index;  // parallel to customers
  std::vector<CustomerSignals> customers;   // customers[i].churned: a churn event after as_of
};

struct SignalHistoryOptions {
  // Also fill CustomerSignals::long_views (the trained model's inputs): a few more sums per
  // customer and date while the usage streams by. Off by default: the rules do not read them.
  bool long_views = false;
};

class SignalHistory {
 public:
  // Loads the tables once, collecting usage windows for every date in
  // `as_of_dates`.
  static absl::StatusOr<SignalHistory> Load(const dataset::DataFiles& files,
                                            std::vector<dataset::Day> as_of_dates,
                                            const dataset::LoadOptions& options = {},
                                            const SignalHistoryOptions& history_options = {});

  // The as-of population and its signals; InvalidArgument for a date not given
  // to Load.
  absl::StatusOr<PopulationSignals> SignalsAsOf(dataset::Day as_of) const;

  // Every subscription's long views (indexed like data().subscriptions, not only the
  // population); FailedPrecondition without long views, InvalidArgument for a date not loaded.
  absl::StatusOr<std::vector<LongViews>> LongViewsAsOf(dataset::Day as_of) const;

  const dataset::Dataset& data() const { return *data_; }
  // Per account, ascending churn dates.
  const std::vector<std::vector<dataset::Day>>& churn_dates() const { return churn_dates_; }
  const std::vector<dataset::Day>& dates() const { return usage_->dates(); }
  // The latest date in the data (usage, tickets, churn events): labels after it are unknown.
  std::optional<dataset::Day> data_end() const;
  bool has_long_views() const { return long_usage_ != nullptr; }

 private:
  std::unique_ptr<dataset::Dataset> data_;
  std::unique_ptr<MultiDateUsageWindows> usage_;
  std::unique_ptr<MultiDateLongUsage> long_usage_;  // null unless asked for
  std::vector<std::vector<dataset::Day>> churn_dates_;
};

// One date: the population on `as_of` with its signals (loads the folder's
// tables).
// Fills every customer's long views in `snapshot` (built by BuildSignals from `files`) as of its
// usage window end, exactly as LongViewsByCustomer: one more pass over the tables. Nothing
// without a usage window end (no usage and no as-of).
absl::Status AddLongViews(const dataset::DataFiles& files, const dataset::LoadOptions& options,
                          SignalSnapshot* snapshot);

absl::StatusOr<PopulationSignals> BuildPopulationSignalsAsOf(
    const std::string& data_dir, dataset::Day as_of, const dataset::LoadOptions& options = {});

// Every subscription's long views as of `as_of`, by customer_id: one more pass over the folder's
// tables with the longer windows. For a snapshot scored now (churnctl explain --model, tests).
absl::StatusOr<absl::flat_hash_map<std::string, LongViews>> LongViewsByCustomer(
    const dataset::DataFiles& files, dataset::Day as_of, const dataset::LoadOptions& options = {});

}  // namespace churn
