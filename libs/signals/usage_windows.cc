#include "signals/usage_windows.h"

#include <algorithm>

namespace churn {

using dataset::Day;

UsageWindows::UsageWindows(std::optional<Day> fixed_end) : fixed_end_(fixed_end) {}

void UsageWindows::Add(const dataset::UsageRecord& record) {
  const Day day = record.day;
  if (fixed_end_) {
    if (day > *fixed_end_ || day < *fixed_end_ - 2 * kWindowDays) return;
  } else {
    if (!latest_day_ || day > *latest_day_) latest_day_ = day;
    if (day < *latest_day_ - 2 * kWindowDays) return;
  }
  DailyUsage& daily = daily_[Key(record.subscription_index, day)];
  daily.usage += record.usage_count;
  daily.errors += record.error_count;
  // Pruning scans the map, so it runs only when the map has doubled since the last prune:
  // amortised O(1) per row, and at most twice the live set is ever held.
  if (!fixed_end_ && daily_.size() >= 2 * std::max<size_t>(size_after_last_prune_, 1 << 16)) {
    PruneBefore(*latest_day_ - 2 * kWindowDays);
  }
}

void UsageWindows::PruneBefore(Day first_kept_day) {
  if (first_kept_day > pruned_before_) {
    absl::erase_if(daily_, [&](const auto& entry) {
      return static_cast<Day>(static_cast<uint32_t>(entry.first)) < first_kept_day;
    });
    pruned_before_ = first_kept_day;
  }
  size_after_last_prune_ = daily_.size();
}

std::vector<UsageTotals> UsageWindows::Totals(Day end, size_t subscription_count) const {
  std::vector<UsageTotals> totals(subscription_count);
  const Day last_start = end - kWindowDays;       // [E-30d, E]
  const Day prior_start = end - 2 * kWindowDays;  // [E-60d, E-30d)
  for (const auto& [key, daily] : daily_) {
    const auto subscription = static_cast<int32_t>(key >> 32);
    const auto day = static_cast<Day>(static_cast<uint32_t>(key));
    if (subscription < 0 || static_cast<size_t>(subscription) >= subscription_count) continue;
    UsageTotals& total = totals[subscription];
    if (day >= last_start && day <= end) {
      total.usage_30d += daily.usage;
      total.errors_30d += daily.errors;
    } else if (day >= prior_start && day < last_start) {
      total.usage_prev30d += daily.usage;
    }
  }
  return totals;
}

}  // namespace churn
