#pragma once
// Seeded percentile bootstrap of a metric over clusters of rows (a customer
// seen on several as-of dates is one cluster, so its rows are resampled
// together and the interval is not narrowed by counting one customer many
// times). Same inputs and seed -> same interval.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace churn::backtest {

struct ConfidenceInterval {
  double low = 0, high = 0;
};

struct BootstrapOptions {
  int replicates = 1000;
  uint64_t seed = 20240229;
  double level = 0.95;
};

// `metric` receives one weight per row (how often its cluster was drawn) and
// returns the metric, or nothing when undefined on that resample (such
// resamples are left out). Absent when no resample gave a value.
std::optional<ConfidenceInterval> BootstrapInterval(
    const std::vector<int32_t>& cluster_of_row, int32_t cluster_count,
    const std::function<std::optional<double>(const std::vector<double>&)>& metric,
    const BootstrapOptions& options);

}  // namespace churn::backtest
