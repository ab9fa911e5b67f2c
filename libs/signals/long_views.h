#pragma once
// Longer views of one customer than the rule signals take: three months of usage, the
// subscription's terms and how support has moved. Inputs of the trained churn model
// (libs/churnmodel), never of the rule score. Windows end on the as-of day D and include it.

#include <cstdint>
#include <optional>

namespace churn {

// The long usage window [D-90d, D] (91 days).
inline constexpr int kLongWindowDays = 90;

struct LongViews {
  int64_t usage_90d = 0;  // sum over [D-90d, D]
  // usage_30d against the mean 30 days of [D-90d, D-30d): 0.2 is 20% above; absent when those
  // 60 days had no usage.
  std::optional<double> usage_trend_90d;
  // Least-squares slope of daily usage over [D-90d, D] as a fraction of the window's mean daily
  // usage, per 30 days (-0.5: the fitted line loses half the mean in a month); 0 without usage.
  double usage_slope_90d = 0;
  // Days from the latest usage in [D-90d, D] to D; absent when there was none in that window.
  std::optional<int64_t> days_since_last_activity;
  std::optional<int64_t> tenure_days;  // D - start_date; absent when the start is unknown
  std::optional<int64_t> seats;
  std::optional<int64_t> billing_months;  // 1 monthly, 3 quarterly, 12 annual; absent otherwise
  std::optional<bool> auto_renew;
  // The account's tickets in [D-60d, D-30d) and their mean satisfaction (absent without scores),
  // against the rule signals' 30-day support window.
  int64_t tickets_prev30d = 0;
  std::optional<double> satisfaction_prev30d;

  bool operator==(const LongViews&) const = default;
};

}  // namespace churn
