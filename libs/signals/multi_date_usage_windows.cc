#include "signals/multi_date_usage_windows.h"

#include <algorithm>

namespace churn {

using dataset::Day;

MultiDateUsageWindows::MultiDateUsageWindows(std::vector<Day> as_of_dates)
    : dates_(std::move(as_of_dates)) {
  std::sort(dates_.begin(), dates_.end());
  dates_.erase(std::unique(dates_.begin(), dates_.end()), dates_.end());
  totals_.resize(dates_.size());
}

void MultiDateUsageWindows::Resize(size_t subscription_count) {
  for (std::vector<UsageTotals>& date_totals : totals_) date_totals.resize(subscription_count);
}

void MultiDateUsageWindows::Add(const dataset::UsageRecord& record) {
  if (record.subscription_index < 0) return;
  const auto subscription = static_cast<size_t>(record.subscription_index);
  // The dates whose windows [E-60d, E] hold the day: E >= day and E - 60 <=
  // day.
  auto it = std::lower_bound(dates_.begin(), dates_.end(), record.day);
  for (; it != dates_.end() && *it - 2 * kWindowDays <= record.day; ++it) {
    std::vector<UsageTotals>& date_totals = totals_[it - dates_.begin()];
    if (subscription >= date_totals.size()) date_totals.resize(subscription + 1);
    UsageTotals& total = date_totals[subscription];
    if (record.day >= *it - kWindowDays) {  // [E-30d, E]
      total.usage_30d += record.usage_count;
      total.errors_30d += record.error_count;
    } else {  // [E-60d, E-30d)
      total.usage_prev30d += record.usage_count;
    }
  }
}

const std::vector<UsageTotals>* MultiDateUsageWindows::TotalsAsOf(Day as_of) const {
  auto it = std::lower_bound(dates_.begin(), dates_.end(), as_of);
  if (it == dates_.end() || *it != as_of) return nullptr;
  return &totals_[it - dates_.begin()];
}

}  // namespace churn
