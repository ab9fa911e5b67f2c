#pragma once
// The long usage views (signals/long_views.h) for several as-of dates from one pass over the
// usage table: a few sums per (date, subscription), so memory grows with customers and dates,
// never with usage rows. Only built when the trained model asks for it.

#include <cstdint>
#include <optional>
#include <vector>

#include "dataset/dataset.h"

namespace churn {

struct LongUsageTotals {
  int64_t usage_90d = 0;         // [D-90d, D]
  int64_t usage_older60d = 0;    // [D-90d, D-30d)
  double weighted_usage = 0;     // sum of usage x (day - (D-90d)), for the slope
  dataset::Day last_active = 0;  // latest day in the window with usage > 0
  bool active = false;
};

class MultiDateLongUsage : public dataset::UsageSink {
 public:
  explicit MultiDateLongUsage(std::vector<dataset::Day> as_of_dates);

  void Resize(size_t subscription_count);
  void Add(const dataset::UsageRecord& record) override;

  // Per subscription index for `as_of`; null for a date not given.
  const std::vector<LongUsageTotals>* TotalsAsOf(dataset::Day as_of) const;

 private:
  std::vector<dataset::Day> dates_;  // ascending, unique
  std::vector<std::vector<LongUsageTotals>> totals_;
};

// The least-squares slope of daily usage over the 91 days of the long window, as a fraction of
// the mean daily usage per 30 days; 0 without usage.
double LongUsageSlope(const LongUsageTotals& totals);

}  // namespace churn
