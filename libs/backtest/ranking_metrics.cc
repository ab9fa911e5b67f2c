#include "backtest/ranking_metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace churn::backtest {

RankedScores::RankedScores(const std::vector<double>& scores, const std::vector<uint8_t>& labels)
    : labels_(labels) {
  order_.resize(scores.size());
  std::iota(order_.begin(), order_.end(), 0);
  std::stable_sort(order_.begin(), order_.end(),
                   [&](int32_t a, int32_t b) { return scores[a] > scores[b]; });
  for (size_t i = 1; i <= order_.size(); ++i) {
    if (i == order_.size() || scores[order_[i]] != scores[order_[i - 1]]) group_ends_.push_back(i);
  }
}

namespace {

struct GroupCounts {
  double positives = 0, negatives = 0;
};

template <typename Visit>
void ForEachGroup(const std::vector<int32_t>& order, const std::vector<size_t>& ends,
                  const std::vector<uint8_t>& labels, const std::vector<double>* weights,
                  Visit&& visit) {
  size_t begin = 0;
  for (const size_t end : ends) {
    GroupCounts group;
    for (size_t i = begin; i < end; ++i) {
      const int32_t row = order[i];
      const double weight = weights == nullptr ? 1.0 : (*weights)[row];
      (labels[row] ? group.positives : group.negatives) += weight;
    }
    visit(group, end - begin);
    begin = end;
  }
}

}  // namespace

std::optional<double> RankedScores::RocAuc(const std::vector<double>* weights) const {
  double positives = 0, negatives = 0;
  ForEachGroup(order_, group_ends_, labels_, weights, [&](const GroupCounts& g, size_t) {
    positives += g.positives;
    negatives += g.negatives;
  });
  if (positives <= 0 || negatives <= 0) return std::nullopt;
  // Walking from the highest score: a positive beats every negative below its
  // group.
  double negatives_above = 0, wins = 0;
  ForEachGroup(order_, group_ends_, labels_, weights, [&](const GroupCounts& g, size_t) {
    const double negatives_below = negatives - negatives_above - g.negatives;
    wins += g.positives * negatives_below + 0.5 * g.positives * g.negatives;
    negatives_above += g.negatives;
  });
  return wins / (positives * negatives);
}

std::optional<double> RankedScores::PrAuc(const std::vector<double>* weights) const {
  double positives = 0;
  ForEachGroup(order_, group_ends_, labels_, weights,
               [&](const GroupCounts& g, size_t) { positives += g.positives; });
  if (positives <= 0) return std::nullopt;
  double true_positives = 0, false_positives = 0, previous_recall = 0, area = 0;
  ForEachGroup(order_, group_ends_, labels_, weights, [&](const GroupCounts& g, size_t) {
    true_positives += g.positives;
    false_positives += g.negatives;
    if (true_positives + false_positives <= 0) return;
    const double recall = true_positives / positives;
    area += (recall - previous_recall) * (true_positives / (true_positives + false_positives));
    previous_recall = recall;
  });
  return area;
}

std::optional<double> RankedScores::PrecisionAtK(int64_t k) const {
  if (k <= 0 || order_.empty()) return std::nullopt;
  const auto cut = static_cast<size_t>(std::min<int64_t>(k, static_cast<int64_t>(order_.size())));
  double expected_positives = 0;
  size_t taken = 0;
  ForEachGroup(order_, group_ends_, labels_, nullptr, [&](const GroupCounts& g, size_t size) {
    if (taken >= cut) return;
    const size_t places = std::min(size, cut - taken);
    expected_positives += g.positives * static_cast<double>(places) / static_cast<double>(size);
    taken += places;
  });
  return expected_positives / static_cast<double>(cut);
}

std::optional<double> Lift(std::optional<double> precision, double base_rate) {
  if (!precision || !(base_rate > 0)) return std::nullopt;
  return *precision / base_rate;
}

Classification Classify(const std::vector<uint8_t>& flagged, const std::vector<uint8_t>& labels) {
  Classification result;
  for (size_t i = 0; i < labels.size(); ++i) {
    result.flagged += flagged[i] ? 1 : 0;
    result.positives += labels[i] ? 1 : 0;
    result.true_positives += flagged[i] && labels[i] ? 1 : 0;
  }
  const auto tp = static_cast<double>(result.true_positives);
  if (result.flagged > 0) result.precision = tp / static_cast<double>(result.flagged);
  if (result.positives > 0) result.recall = tp / static_cast<double>(result.positives);
  if (result.precision && result.recall && *result.precision + *result.recall > 0) {
    result.f1 = 2 * *result.precision * *result.recall / (*result.precision + *result.recall);
  }
  return result;
}

double Quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return values[below] + fraction * (values[above] - values[below]);
}

Quartiles QuartilesOf(const std::vector<double>& values) {
  return Quartiles{Quantile(values, 0.25), Quantile(values, 0.5), Quantile(values, 0.75)};
}

}  // namespace churn::backtest
