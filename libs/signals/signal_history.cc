#include "signals/signal_history.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "signals/as_of_population.h"
#include "signals/long_views_builder.h"
#include "signals/signal_builder.h"
#include "status/status_macros.h"

namespace churn {

using dataset::Day;

namespace {

// Hands every usage row to both windows.
class UsageSinkPair : public dataset::UsageSink {
 public:
  UsageSinkPair(dataset::UsageSink* first, dataset::UsageSink* second)
      : first_(first), second_(second) {}
  void Add(const dataset::UsageRecord& record) override {
    first_->Add(record);
    second_->Add(record);
  }

 private:
  dataset::UsageSink* first_;
  dataset::UsageSink* second_;
};

}  // namespace

absl::StatusOr<SignalHistory> SignalHistory::Load(const dataset::DataFiles& files,
                                                  std::vector<Day> as_of_dates,
                                                  const dataset::LoadOptions& options,
                                                  const SignalHistoryOptions& history_options) {
  SignalHistory history;
  if (history_options.long_views) {
    history.long_usage_ = std::make_unique<MultiDateLongUsage>(as_of_dates);
  }
  history.usage_ = std::make_unique<MultiDateUsageWindows>(std::move(as_of_dates));
  UsageSinkPair both(history.usage_.get(), history.long_usage_.get());
  dataset::UsageSink* sink =
      history.long_usage_ ? static_cast<dataset::UsageSink*>(&both) : history.usage_.get();
  CHURN_ASSIGN_OR_RETURN(dataset::Dataset loaded, dataset::LoadDataset(files, options, sink));
  history.data_ = std::make_unique<dataset::Dataset>(std::move(loaded));
  history.usage_->Resize(history.data_->subscriptions.size());
  if (history.long_usage_) history.long_usage_->Resize(history.data_->subscriptions.size());
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
  if (long_usage_) {
    CHURN_ASSIGN_OR_RETURN(std::vector<LongViews> views, LongViewsAsOf(as_of));
    for (size_t i = 0; i < all.size(); ++i) all[i].long_views = views[i];
  }
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

absl::StatusOr<std::vector<LongViews>> SignalHistory::LongViewsAsOf(Day as_of) const {
  if (!long_usage_) return absl::FailedPreconditionError("loaded without long views");
  const std::vector<LongUsageTotals>* totals = long_usage_->TotalsAsOf(as_of);
  if (totals == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("as-of date ", dataset::FormatDate(as_of), " was not loaded"));
  }
  return AssembleLongViews(*data_, *totals, as_of);
}

std::optional<Day> SignalHistory::data_end() const {
  std::optional<Day> end = data_->latest_usage_day;
  if (data_->latest_ticket_day)
    end = std::max(end.value_or(*data_->latest_ticket_day), *data_->latest_ticket_day);
  for (const std::vector<Day>& account_dates : churn_dates_) {
    if (!account_dates.empty())
      end = std::max(end.value_or(account_dates.back()), account_dates.back());
  }
  return end;
}

absl::StatusOr<absl::flat_hash_map<std::string, LongViews>> LongViewsByCustomer(
    const dataset::DataFiles& files, Day as_of, const dataset::LoadOptions& options) {
  CHURN_ASSIGN_OR_RETURN(SignalHistory history,
                         SignalHistory::Load(files, {as_of}, options, {.long_views = true}));
  CHURN_ASSIGN_OR_RETURN(std::vector<LongViews> views, history.LongViewsAsOf(as_of));
  absl::flat_hash_map<std::string, LongViews> by_customer;
  by_customer.reserve(views.size());
  const std::vector<dataset::Subscription>& subscriptions = history.data().subscriptions;
  for (size_t i = 0; i < views.size(); ++i) {
    by_customer.try_emplace(subscriptions[i].subscription_id, views[i]);
  }
  return by_customer;
}

absl::Status AddLongViews(const dataset::DataFiles& files, const dataset::LoadOptions& options,
                          SignalSnapshot* snapshot) {
  if (!snapshot->usage_window_end) return absl::OkStatus();
  const Day as_of = *snapshot->usage_window_end;
  CHURN_ASSIGN_OR_RETURN(SignalHistory history,
                         SignalHistory::Load(files, {as_of}, options, {.long_views = true}));
  CHURN_ASSIGN_OR_RETURN(std::vector<LongViews> views, history.LongViewsAsOf(as_of));
  const std::vector<dataset::Subscription>& subscriptions = history.data().subscriptions;
  std::vector<CustomerSignals>& customers = snapshot->customers;
  // Both passes read the same files, so rows line up; a file changed in between does not.
  if (views.size() != customers.size()) {
    return absl::AbortedError("the tables changed while their long views were read; load again");
  }
  for (size_t i = 0; i < customers.size(); ++i) {
    if (subscriptions[i].subscription_id != customers[i].customer_id) {
      return absl::AbortedError("the tables changed while their long views were read; load again");
    }
    customers[i].long_views = views[i];
  }
  return absl::OkStatus();
}

absl::StatusOr<PopulationSignals> BuildPopulationSignalsAsOf(const std::string& data_dir, Day as_of,
                                                             const dataset::LoadOptions& options) {
  CHURN_ASSIGN_OR_RETURN(dataset::DataFiles files, dataset::FindDataFiles(data_dir));
  CHURN_ASSIGN_OR_RETURN(SignalHistory history, SignalHistory::Load(files, {as_of}, options));
  return history.SignalsAsOf(as_of);
}

}  // namespace churn
