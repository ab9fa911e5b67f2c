#include "signals/as_of_population.h"

#include <algorithm>

namespace churn {

using dataset::Day;

std::vector<std::vector<Day>> ChurnDatesByAccount(const dataset::Dataset& data) {
  std::vector<std::vector<Day>> dates(data.accounts.size());
  for (const dataset::ChurnEvent& event : data.churn_events) {
    if (event.account_index == dataset::kNoIndex || !event.churn_date) continue;
    dates[event.account_index].push_back(*event.churn_date);
  }
  for (std::vector<Day>& account_dates : dates) {
    std::sort(account_dates.begin(), account_dates.end());
  }
  return dates;
}

bool InPopulationAsOf(const dataset::Dataset& data,
                      const std::vector<std::vector<Day>>& churn_dates, size_t index, Day as_of) {
  const dataset::Subscription& subscription = data.subscriptions[index];
  if (subscription.start_day && *subscription.start_day > as_of) return false;
  if (subscription.end_day && *subscription.end_day <= as_of) return false;
  if (subscription.account_index != dataset::kNoIndex) {
    const std::vector<Day>& dates = churn_dates[subscription.account_index];
    if (!dates.empty() && dates.front() <= as_of) return false;
  }
  return true;
}

std::vector<int32_t> PopulationAsOf(const dataset::Dataset& data,
                                    const std::vector<std::vector<Day>>& churn_dates, Day as_of) {
  std::vector<int32_t> members;
  for (size_t i = 0; i < data.subscriptions.size(); ++i) {
    if (InPopulationAsOf(data, churn_dates, i, as_of)) members.push_back(static_cast<int32_t>(i));
  }
  return members;
}

}  // namespace churn
