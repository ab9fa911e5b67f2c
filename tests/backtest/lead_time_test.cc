// Lead time of the High warning, worked out by hand.

#include "backtest/lead_time.h"

#include "dataset/value_parsers.h"
#include "gtest/gtest.h"

namespace churn::backtest {
namespace {

dataset::Day D(const char* text) { return *dataset::ParseDate(text); }

TEST(LeadTimeTest, FirstHighWithinTheHorizonCounts) {
  const dataset::Day churn = D("2024-06-30");
  const std::vector<LeadTimeObservation> observations = {
      // Customer 1: High on 03-01 but that churn was outside the horizon then
      // (not labelled);
      // labelled and Medium on 04-01, High on 05-01 and 06-01 -> 60 days ahead.
      {1, D("2024-03-01"), true, false, 0},
      {1, D("2024-04-01"), false, true, churn},
      {1, D("2024-05-01"), true, true, churn},
      {1, D("2024-06-01"), true, true, churn},
      // Customer 2: High only on 06-20 -> 10 days ahead.
      {2, D("2024-06-01"), false, true, churn},
      {2, D("2024-06-20"), true, true, churn},
      // Customer 3: churned, never High -> not caught.
      {3, D("2024-06-01"), false, true, churn},
      // Customer 4: High, never churned -> not a churned customer.
      {4, D("2024-06-01"), true, false, 0},
  };
  const LeadTime lead = ComputeLeadTime(observations);
  EXPECT_EQ(lead.churned_customers, 3);
  EXPECT_EQ(lead.caught_high, 2);
  // Lead times 10 and 60: median 35, q1 22.5, q3 47.5.
  EXPECT_DOUBLE_EQ(*lead.median, 35);
  EXPECT_DOUBLE_EQ(*lead.q1, 22.5);
  EXPECT_DOUBLE_EQ(*lead.q3, 47.5);
  // Only customer 1 was caught 30 or more days ahead: 1 of 3 churned customers.
  EXPECT_DOUBLE_EQ(*lead.share_caught_30d, 1.0 / 3);
}

TEST(LeadTimeTest, NothingChurnedNothingToReport) {
  const LeadTime lead = ComputeLeadTime({{1, D("2024-06-01"), true, false, 0}});
  EXPECT_EQ(lead.churned_customers, 0);
  EXPECT_FALSE(lead.median.has_value());
  EXPECT_FALSE(lead.share_caught_30d.has_value());
}

TEST(LeadTimeTest, AReactivatedAccountChurningTwiceCountsTwice) {
  const LeadTime lead = ComputeLeadTime({{1, D("2024-01-01"), true, true, D("2024-01-31")},
                                         {1, D("2024-06-01"), true, true, D("2024-06-11")}});
  EXPECT_EQ(lead.churned_customers, 2);
  EXPECT_DOUBLE_EQ(*lead.median, 20);  // 30 and 10 days
  EXPECT_DOUBLE_EQ(*lead.share_caught_30d, 0.5);
}

}  // namespace
}  // namespace churn::backtest
