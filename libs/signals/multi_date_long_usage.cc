#include "signals/multi_date_long_usage.h"

#include <algorithm>

#include "signals/long_views.h"

namespace churn {

using dataset::Day;

MultiDateLongUsage::MultiDateLongUsage(std::vector<Day> as_of_dates)
    : dates_(std::move(as_of_dates)) {
  std::sort(dates_.begin(), dates_.end());
  dates_.erase(std::unique(dates_.begin(), dates_.end()), dates_.end());
  totals_.resize(dates_.size());
}

void MultiDateLongUsage::Resize(size_t subscription_count) {
  for (std::vector<LongUsageTotals>& date_totals : totals_) date_totals.resize(subscription_count);
}

void MultiDateLongUsage::Add(const dataset::UsageRecord& record) {
  if (record.subscription_index < 0) return;
  const auto subscription = static_cast<size_t>(record.subscription_index);
  // The dates whose window [D-90d, D] holds the day.
  auto it = std::lower_bound(dates_.begin(), dates_.end(), record.day);
  for (; it != dates_.end() && *it - kLongWindowDays <= record.day; ++it) {
    std::vector<LongUsageTotals>& date_totals = totals_[it - dates_.begin()];
    if (subscription >= date_totals.size()) date_totals.resize(subscription + 1);
    LongUsageTotals& total = date_totals[subscription];
    const Day window_start = *it - kLongWindowDays;
    total.usage_90d += record.usage_count;
    if (record.day < *it - 30) total.usage_older60d += record.usage_count;
    total.weighted_usage +=
        static_cast<double>(record.usage_count) * static_cast<double>(record.day - window_start);
    if (record.usage_count > 0 && (!total.active || record.day > total.last_active)) {
      total.last_active = record.day;
      total.active = true;
    }
  }
}

const std::vector<LongUsageTotals>* MultiDateLongUsage::TotalsAsOf(Day as_of) const {
  auto it = std::lower_bound(dates_.begin(), dates_.end(), as_of);
  if (it == dates_.end() || *it != as_of) return nullptr;
  return &totals_[it - dates_.begin()];
}

double LongUsageSlope(const LongUsageTotals& totals) {
  if (totals.usage_90d <= 0) return 0;
  // Days t = 0..n-1 with usage y_t (zero on days without rows): slope = (n Sty - St Sy) /
  // (n Stt - St^2), where St and Stt depend on n only.
  constexpr double n = kLongWindowDays + 1;
  constexpr double sum_t = n * (n - 1) / 2;
  constexpr double sum_tt = (n - 1) * n * (2 * n - 1) / 6;
  const auto sum_y = static_cast<double>(totals.usage_90d);
  const double slope = (n * totals.weighted_usage - sum_t * sum_y) / (n * sum_tt - sum_t * sum_t);
  return slope * 30.0 / (sum_y / n);
}

}  // namespace churn
