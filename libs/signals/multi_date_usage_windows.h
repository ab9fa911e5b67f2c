#pragma once
// Usage windows for several as-of dates from one pass over the usage table.
//
// Each row is added to the two 30-day windows of every as-of date whose windows
// cover its day, so memory is dates x subscriptions totals, whatever the number
// of usage rows or days.

#include <vector>

#include "dataset/dataset.h"
#include "signals/usage_windows.h"

namespace churn {

class MultiDateUsageWindows : public dataset::UsageSink {
 public:
  // `as_of_dates` need not be sorted; duplicates are kept once. The totals grow
  // with the highest subscription index seen; Resize fixes their length once
  // the count is known.
  explicit MultiDateUsageWindows(std::vector<dataset::Day> as_of_dates);

  void Resize(size_t subscription_count);

  void Add(const dataset::UsageRecord& record) override;

  // Totals per subscription index for windows ending at `as_of`; null for a
  // date not given.
  const std::vector<UsageTotals>* TotalsAsOf(dataset::Day as_of) const;

  const std::vector<dataset::Day>& dates() const { return dates_; }

 private:
  std::vector<dataset::Day> dates_;               // ascending, unique
  std::vector<std::vector<UsageTotals>> totals_;  // [date][subscription]
};

}  // namespace churn
