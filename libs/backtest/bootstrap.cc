#include "backtest/bootstrap.h"

#include "backtest/ranking_metrics.h"

namespace churn::backtest {
namespace {

// SplitMix64: a fixed, documented generator, so intervals do not change with
// the standard library (std::uniform_int_distribution is
// implementation-defined).
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); the modulo bias is below n / 2^64, far under any
  // reported digit.
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(Next() % n); }

 private:
  uint64_t state_;
};

}  // namespace

std::optional<ConfidenceInterval> BootstrapInterval(
    const std::vector<int32_t>& cluster_of_row, int32_t cluster_count,
    const std::function<std::optional<double>(const std::vector<double>&)>& metric,
    const BootstrapOptions& options) {
  if (cluster_count <= 0 || options.replicates <= 0) return std::nullopt;
  SplitMix64 rng(options.seed);
  std::vector<uint32_t> draws(static_cast<size_t>(cluster_count));
  std::vector<double> weights(cluster_of_row.size());
  std::vector<double> values;
  values.reserve(static_cast<size_t>(options.replicates));
  for (int replicate = 0; replicate < options.replicates; ++replicate) {
    std::fill(draws.begin(), draws.end(), 0);
    for (int32_t i = 0; i < cluster_count; ++i)
      ++draws[rng.Below(static_cast<uint32_t>(cluster_count))];
    for (size_t row = 0; row < cluster_of_row.size(); ++row) {
      weights[row] = draws[static_cast<size_t>(cluster_of_row[row])];
    }
    if (std::optional<double> value = metric(weights)) values.push_back(*value);
  }
  if (values.empty()) return std::nullopt;
  const double tail = (1 - options.level) / 2;
  return ConfidenceInterval{Quantile(values, tail), Quantile(values, 1 - tail)};
}

}  // namespace churn::backtest
