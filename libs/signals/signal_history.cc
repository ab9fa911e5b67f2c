#include "signals/signal_history.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "signals/as_of_population.h"
#include "signals/signal_builder.h"
#include "status/status_macros.h"

namespace churn {

using dataset::Day;

absl::StatusOr<SignalHistory> SignalHistory::Load(const dataset::DataFiles& files,
                                                  std::vector<Day> as_of_dates,
                                                  const dataset::LoadOptions& options) {
  SignalHistory history;
  history.usage_ = std::make_unique<MultiDateUsageWindows>(std::move(as_of_dates));
  CHURN_ASSIGN_OR_RETURN(dataset::Dataset loaded,
                         dataset::LoadDataset(files, options, history.usage_.get()));
  history.data_ = std::make_unique<dataset::Dataset>(std::move(loaded));
  history.usage_->Resize(history.data_->subscriptions.size());
  history.churn_dates_ = ChurnDatesByAccount(*history.data_);
  return history;
}

absl::StatusOr<PopulationSignals> SignalHistory::SignalsAsOf(Day as_of) const {
  const std::vector<UsageTotals>* usage = usage_->TotalsAsOf(as_of);
  if (usage == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("as-of date ", dataset::FormatDate(as_of), " was not loaded"));
  }
  const dataset::Dataset& data = *data_;
  // Tickets after the date never reach the support window [T-30d, T] ending on
  // it.
  std::vector<CustomerSignals> all = AssembleSignals(data, *usage, as_of, {});
  PopulationSignals population;
  population.as_of = as_of;
  population.subscription_index = PopulationAsOf(data, churn_dates_, as_of);
  population.customers.reserve(population.subscription_index.size());
  for (const int32_t index : population.subscription_index) {
    CustomerSignals& signals = all[index];
    const int32_t account = data.subscriptions[index].account_index;
    // In the population no churn is on or before the date, so any churn date is
    // after it.
    signals.churned = account != dataset::kNoIndex && !churn_dates_[account].empty();
    population.customers.push_back(std::move(signals));
  }
  return population;
}

absl::StatusOr<PopulationSignals> BuildPopulationSignalsAsOf(const std::string& data_dir, Day as_of,
                                                             const dataset::LoadOptions& options) {
  CHURN_ASSIGN_OR_RETURN(dataset::DataFiles files, dataset::FindDataFiles(data_dir));
  CHURN_ASSIGN_OR_RETURN(SignalHistory history, SignalHistory::Load(files, {as_of}, options));
  return history.SignalsAsOf(as_of);
}

}  // namespace churn
