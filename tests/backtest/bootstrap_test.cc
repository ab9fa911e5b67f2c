// The bootstrap interval: deterministic for a seed, sensible around the point
// estimate.

#include "backtest/bootstrap.h"

#include "backtest/ranking_metrics.h"
#include "gtest/gtest.h"

namespace churn::backtest {
namespace {

struct Sample {
  std::vector<double> scores;
  std::vector<uint8_t> labels;
  std::vector<int32_t> clusters;
};

// 400 rows: the score is the label plus noise (an AUC near 0.8), two rows per
// cluster.
Sample NoisySample() {
  Sample s;
  uint64_t x = 12345;
  for (int i = 0; i < 400; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const uint8_t label = (x >> 60) < 4 ? 1 : 0;
    const double noise = static_cast<double>((x >> 20) % 1000) / 1000.0;
    s.scores.push_back(label + 1.2 * noise);
    s.labels.push_back(label);
    s.clusters.push_back(i / 2);
  }
  return s;
}

std::optional<ConfidenceInterval> AucInterval(const Sample& s, uint64_t seed) {
  const RankedScores ranked(s.scores, s.labels);
  BootstrapOptions options;
  options.replicates = 300;
  options.seed = seed;
  return BootstrapInterval(
      s.clusters, 200, [&](const std::vector<double>& w) { return ranked.RocAuc(&w); }, options);
}

TEST(BootstrapTest, SameSeedSameInterval) {
  const Sample s = NoisySample();
  const std::optional<ConfidenceInterval> a = AucInterval(s, 7);
  const std::optional<ConfidenceInterval> b = AucInterval(s, 7);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->low, b->low);
  EXPECT_EQ(a->high, b->high);
  const std::optional<ConfidenceInterval> c = AucInterval(s, 8);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->low != a->low || c->high != a->high);
}

TEST(BootstrapTest, IntervalSurroundsTheEstimate) {
  const Sample s = NoisySample();
  const double auc = *RankedScores(s.scores, s.labels).RocAuc();
  const std::optional<ConfidenceInterval> ci = AucInterval(s, 7);
  ASSERT_TRUE(ci);
  EXPECT_LT(ci->low, auc);
  EXPECT_GT(ci->high, auc);
  EXPECT_GT(ci->low, 0.5);  // a clear signal: the interval stays above chance
  EXPECT_LT(ci->high - ci->low, 0.2);
}

TEST(BootstrapTest, ConstantMetricGivesAPointInterval) {
  BootstrapOptions options;
  options.replicates = 50;
  const std::optional<ConfidenceInterval> ci = BootstrapInterval(
      {0, 1, 2}, 3, [](const std::vector<double>&) { return std::optional<double>(0.25); },
      options);
  ASSERT_TRUE(ci);
  EXPECT_DOUBLE_EQ(ci->low, 0.25);
  EXPECT_DOUBLE_EQ(ci->high, 0.25);
}

TEST(BootstrapTest, WeightsAreClusterDrawCounts) {
  // Every replicate's weights sum to the row count when each cluster holds one
  // row, and rows of one cluster always share a weight.
  BootstrapOptions options;
  options.replicates = 20;
  bool shared = true;
  BootstrapInterval(
      {0, 0, 1, 1, 2, 2}, 3,
      [&](const std::vector<double>& w) {
        shared = shared && w[0] == w[1] && w[2] == w[3] && w[4] == w[5];
        EXPECT_DOUBLE_EQ(w[0] + w[2] + w[4], 3);
        return std::optional<double>(w[0]);
      },
      options);
  EXPECT_TRUE(shared);
}

TEST(BootstrapTest, NoValueNoInterval) {
  BootstrapOptions options;
  options.replicates = 10;
  EXPECT_FALSE(
      BootstrapInterval(
          {0}, 1, [](const std::vector<double>&) { return std::optional<double>(); }, options)
          .has_value());
}

}  // namespace
}  // namespace churn::backtest
