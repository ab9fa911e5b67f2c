#pragma once
// Who was a customer on a past date: the population a backtest scores as of
// that date.

#include <cstdint>
#include <vector>

#include "dataset/dataset.h"

namespace churn {

// Per account, its churn dates in ascending order (events without a date are
// left out).
std::vector<std::vector<dataset::Day>> ChurnDatesByAccount(const dataset::Dataset& data);

// True when subscription `index` was a customer on `as_of`: started on or
// before it (a blank start counts as started), not ended by it (end_date blank
// or after it), and its account has no churn event on or before it.
// `churn_dates` comes from ChurnDatesByAccount.
bool InPopulationAsOf(const dataset::Dataset& data,
                      const std::vector<std::vector<dataset::Day>>& churn_dates, size_t index,
                      dataset::Day as_of);

// The subscription indexes in the population on `as_of`, ascending.
std::vector<int32_t> PopulationAsOf(const dataset::Dataset& data,
                                    const std::vector<std::vector<dataset::Day>>& churn_dates,
                                    dataset::Day as_of);

}  // namespace churn
