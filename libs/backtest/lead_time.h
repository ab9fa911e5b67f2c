#pragma once
// How early the High level warned of churn.

#include <cstdint>
#include <optional>
#include <vector>

#include "dataset/value_parsers.h"

namespace churn::backtest {

// One customer on one as-of date.
struct LeadTimeObservation {
  int32_t customer = 0;
  dataset::Day as_of = 0;
  bool high = false;
  bool churned_in_horizon = false;
  dataset::Day churn_day = 0;  // the churn that labelled it (churned_in_horizon only)
};

struct LeadTime {
  int64_t churned_customers = 0;  // distinct (customer, churn date) labelled churned on some date
  int64_t caught_high = 0;        // ... of which High on at least one of those dates
  // Days from the first such High date to the churn date, over the caught
  // customers.
  std::optional<double> median, q1, q3;
  std::optional<double> share_caught_30d;  // of all churned customers, High >= 30 days ahead
};

// A churned customer counts from the first as-of date on which it was High
// while its churn was within the horizon (a High long before the horizon is not
// a warning of that churn).
LeadTime ComputeLeadTime(const std::vector<LeadTimeObservation>& observations);

}  // namespace churn::backtest
