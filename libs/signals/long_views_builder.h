#pragma once
// Long views (signals/long_views.h) of every subscription as of one day.

#include <vector>

#include "dataset/dataset.h"
#include "signals/long_views.h"
#include "signals/multi_date_long_usage.h"

namespace churn {

// One LongViews per subscription of `data` (file order), from its long usage totals ending on
// `as_of` (indexed by subscription; missing entries count as no usage) and the tickets in memory.
std::vector<LongViews> AssembleLongViews(const dataset::Dataset& data,
                                         const std::vector<LongUsageTotals>& usage,
                                         dataset::Day as_of);

// "monthly" 1, "quarterly" 3, "annual" / "annually" / "yearly" 12 (any case); otherwise absent.
std::optional<int64_t> BillingMonths(std::string_view billing_frequency);

}  // namespace churn
