// The metrics against values worked out by hand (see each comment).

#include "backtest/ranking_metrics.h"

#include "gtest/gtest.h"

namespace churn::backtest {
namespace {

TEST(RocAucTest, TiedPairCountsHalf) {
  // Positives score 3 and 2, negatives 2 and 1. Pairs (pos, neg): (3,2) win,
  // (3,1) win, (2,2) tie = 0.5, (2,1) win -> 3.5 / 4.
  const RankedScores ranked({3, 2, 2, 1}, {1, 1, 0, 0});
  EXPECT_DOUBLE_EQ(*ranked.RocAuc(), 0.875);
}

TEST(RocAucTest, AllTiedIsChanceAndReversedIsZero) {
  EXPECT_DOUBLE_EQ(*RankedScores({1, 1, 1, 1}, {1, 0, 1, 0}).RocAuc(), 0.5);
  EXPECT_DOUBLE_EQ(*RankedScores({1, 2}, {1, 0}).RocAuc(), 0.0);
  EXPECT_DOUBLE_EQ(*RankedScores({2, 1}, {1, 0}).RocAuc(), 1.0);
}

TEST(RocAucTest, WeightsCountRowsSeveralTimes) {
  // Row 0 (positive, score 3) counted twice: positives {3, 3, 2}, negatives {2,
  // 1}. Wins: 3 beats both negatives twice = 4; 2 beats 1 = 1 and ties 2 = 0.5
  // -> 5.5 / (3 * 2).
  const RankedScores ranked({3, 2, 2, 1}, {1, 1, 0, 0});
  const std::vector<double> weights = {2, 1, 1, 1};
  EXPECT_DOUBLE_EQ(*ranked.RocAuc(&weights), 5.5 / 6);
  const std::vector<double> no_negatives = {1, 1, 0, 0};
  EXPECT_FALSE(ranked.RocAuc(&no_negatives).has_value());
}

TEST(RocAucTest, UndefinedWithOneClass) {
  EXPECT_FALSE(RankedScores({1, 2}, {0, 0}).RocAuc().has_value());
  EXPECT_FALSE(RankedScores({1, 2}, {1, 1}).RocAuc().has_value());
  EXPECT_FALSE(RankedScores({}, {}).RocAuc().has_value());
}

TEST(PrAucTest, TieGroupEntersAtOnce) {
  // Threshold 3: recall 1/2, precision 1 -> 0.5. Threshold 2: recall 1,
  // precision 2/3 ->
  // + 0.5 * 2/3. Threshold 1 adds no recall. AP = 0.5 + 1/3.
  EXPECT_DOUBLE_EQ(*RankedScores({3, 2, 2, 1}, {1, 1, 0, 0}).PrAuc(), 0.5 + 1.0 / 3);
  // Everything tied: one step to recall 1 at the base rate.
  EXPECT_DOUBLE_EQ(*RankedScores({5, 5, 5, 5}, {1, 0, 0, 0}).PrAuc(), 0.25);
  EXPECT_FALSE(RankedScores({1, 2}, {0, 0}).PrAuc().has_value());
}

TEST(PrecisionAtKTest, TieAtTheCutCountsItsExpectedShare) {
  // Scores 5, 4, 4, 4, 1 with labels 1, 1, 0, 0, 1.
  const RankedScores ranked({5, 4, 4, 4, 1}, {1, 1, 0, 0, 1});
  EXPECT_DOUBLE_EQ(*ranked.PrecisionAtK(1), 1.0);
  // Top 2: the 5 (positive) and one place of the three 4s holding one positive:
  // 1 + 1/3.
  EXPECT_DOUBLE_EQ(*ranked.PrecisionAtK(2), (1 + 1.0 / 3) / 2);
  // Top 4: the 5 and all three 4s: 2 positives.
  EXPECT_DOUBLE_EQ(*ranked.PrecisionAtK(4), 0.5);
  // K beyond the rows is capped: 3 of 5.
  EXPECT_DOUBLE_EQ(*ranked.PrecisionAtK(10), 0.6);
  EXPECT_FALSE(ranked.PrecisionAtK(0).has_value());
}

TEST(PrecisionAtKTest, DoesNotDependOnListingOrder) {
  const RankedScores a({4, 4, 4, 1}, {1, 0, 0, 0});
  const RankedScores b({4, 4, 4, 1}, {0, 0, 1, 0});
  EXPECT_DOUBLE_EQ(*a.PrecisionAtK(1), *b.PrecisionAtK(1));
  EXPECT_DOUBLE_EQ(*a.PrecisionAtK(1), 1.0 / 3);
}

TEST(LiftTest, PrecisionOverBaseRate) {
  EXPECT_DOUBLE_EQ(*Lift(0.6, 0.2), 3.0);
  EXPECT_DOUBLE_EQ(*Lift(0.1, 0.2), 0.5);
  EXPECT_FALSE(Lift(0.6, 0.0).has_value());
  EXPECT_FALSE(Lift(std::nullopt, 0.2).has_value());
}

TEST(ClassifyTest, PrecisionRecallF1) {
  // Flagged rows 0 and 1, positives rows 0 and 2: TP 1, precision 1/2, recall
  // 1/2, F1 1/2.
  const Classification c = Classify({1, 1, 0, 0}, {1, 0, 1, 0});
  EXPECT_EQ(c.flagged, 2);
  EXPECT_EQ(c.true_positives, 1);
  EXPECT_DOUBLE_EQ(*c.precision, 0.5);
  EXPECT_DOUBLE_EQ(*c.recall, 0.5);
  EXPECT_DOUBLE_EQ(*c.f1, 0.5);
  // Precision 1, recall 1/3: F1 = 2 * 1/3 / (4/3) = 0.5.
  const Classification d = Classify({1, 0, 0, 0}, {1, 1, 1, 0});
  EXPECT_DOUBLE_EQ(*d.f1, 0.5);
  const Classification none = Classify({0, 0}, {1, 0});
  EXPECT_FALSE(none.precision.has_value());
  EXPECT_DOUBLE_EQ(*none.recall, 0.0);
  EXPECT_FALSE(none.f1.has_value());
}

TEST(QuantileTest, InterpolatesBetweenOrderStatistics) {
  // Sorted 1, 2, 3, 4: q1 at position 0.75 -> 1.75, median 2.5, q3 at 2.25
  // -> 3.25.
  const Quartiles q = QuartilesOf({4, 1, 3, 2});
  EXPECT_DOUBLE_EQ(q.q1, 1.75);
  EXPECT_DOUBLE_EQ(q.median, 2.5);
  EXPECT_DOUBLE_EQ(q.q3, 3.25);
  EXPECT_DOUBLE_EQ(Quantile({7}, 0.9), 7);
}

}  // namespace
}  // namespace churn::backtest
