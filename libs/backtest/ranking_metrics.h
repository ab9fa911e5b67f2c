#pragma once
// Ranking and classification metrics of a score against 0/1 outcomes, as a
// backtest reports them. Ties are handled explicitly everywhere: rule scores
// are small integers, so many customers share a score and a metric must not
// depend on the order they were listed in.

#include <cstdint>
#include <optional>
#include <vector>

namespace churn::backtest {

// Rows ranked once by score (highest first) and grouped into ties, so that ROC
// AUC and PR AUC can be recomputed cheaply for many bootstrap weightings of the
// same rows.
class RankedScores {
 public:
  RankedScores(const std::vector<double>& scores, const std::vector<uint8_t>& labels);

  // Weighted by `weights` (one per row, e.g. bootstrap counts); null means
  // every row once. ROC AUC counts a tied positive/negative pair as half a win
  // (Mann-Whitney U). Absent when the rows hold no positive or no negative.
  std::optional<double> RocAuc(const std::vector<double>* weights = nullptr) const;
  // Average precision: sum over distinct score thresholds of (recall step) x
  // precision, a whole tie group entering at once. Absent without positives.
  std::optional<double> PrAuc(const std::vector<double>* weights = nullptr) const;

  // Share of positives among the K highest scores. A tie group straddling the
  // cut contributes its positive share times the places left (the expected
  // value over tie orders). K is capped at the row count; absent for K <= 0 or
  // no rows.
  std::optional<double> PrecisionAtK(int64_t k) const;

  size_t rows() const { return labels_.size(); }

 private:
  std::vector<uint8_t> labels_;
  std::vector<int32_t> order_;      // row indexes, highest score first
  std::vector<size_t> group_ends_;  // order_[previous end, end) share one score
};

// precision / base_rate; absent when either is absent or the base rate is 0.
std::optional<double> Lift(std::optional<double> precision, double base_rate);

struct Classification {
  int64_t flagged = 0, true_positives = 0, positives = 0;
  std::optional<double> precision;  // absent when nothing was flagged
  std::optional<double> recall;     // absent without positives
  std::optional<double> f1;         // absent when precision or recall is, or both are 0
};
Classification Classify(const std::vector<uint8_t>& flagged, const std::vector<uint8_t>& labels);

struct Quartiles {
  double q1 = 0, median = 0, q3 = 0;
};
// Linear interpolation between order statistics (the usual "type 7" quantile).
// `values` must not be empty.
double Quantile(std::vector<double> values, double q);
Quartiles QuartilesOf(const std::vector<double>& values);

}  // namespace churn::backtest
