// The long views of the trained model, as of a past date: usage trend and slope over 90 days,
// last activity, tenure, subscription terms and the support window before the rules' one.

#include <cmath>

#include "gtest/gtest.h"
#include "signals/long_views_builder.h"
#include "signals/signal_history.h"
#include "testing/data_folder.h"

namespace churn {
namespace {

dataset::Day D(const char* text) { return *dataset::ParseDate(text); }

// As of 2024-06-30: the long window is [04-01, 06-30], the rules' usage window [05-31, 06-30],
// the prior support window [05-01, 05-31).
std::map<std::string, std::string> Tables() {
  return {
      {"accounts.csv", "account_id,account_name\nA-1,One\nA-2,Two\n"},
      {"subscriptions.csv",
       "subscription_id,account_id,start_date,end_date,plan_tier,arr_amount,is_trial,"
       "downgrade_flag,seats,billing_frequency,auto_renew_flag\n"
       "S-1,A-1,2024-01-01,,Pro,100,False,False,12,annual,False\n"
       "S-2,A-2,,,Pro,100,False,False,,weekly,\n"},
      {"feature_usage.csv",
       "subscription_id,usage_date,usage_count,error_count\n"
       "S-1,2024-03-31,1000,0\n"  // before the long window: ignored
       "S-1,2024-04-01,60,0\n"    // first day of the window (older 60 days)
       "S-1,2024-05-30,60,0\n"    // last day of the older 60 days
       "S-1,2024-06-20,30,0\n"    // the last 30 days
       "S-1,2024-07-01,999,0\n"   // after the date: ignored
       "S-2,2024-04-02,0,5\n"},   // a row without use is not activity
      {"churn_events.csv", "account_id,churn_date,reason_code\n"},
      {"support_tickets.csv",
       "account_id,submitted_at,satisfaction_score,escalation_flag\n"
       "A-1,2024-04-30,1,False\n"  // before the prior window
       "A-1,2024-05-01,4,False\n"
       "A-1,2024-05-20,2,False\n"
       "A-1,2024-05-31,5,False\n"},  // in the rules' window, not the prior one
  };
}

TEST(LongViewsTest, AsOfAPastDate) {
  const std::string dir = testing::WriteDataFolder("long_views", Tables());
  absl::StatusOr<dataset::DataFiles> files = dataset::FindDataFiles(dir);
  ASSERT_TRUE(files.ok()) << files.status();
  absl::StatusOr<SignalHistory> history =
      SignalHistory::Load(*files, {D("2024-06-30")}, {}, {.long_views = true});
  ASSERT_TRUE(history.ok()) << history.status();
  absl::StatusOr<PopulationSignals> population = history->SignalsAsOf(D("2024-06-30"));
  ASSERT_TRUE(population.ok()) << population.status();
  ASSERT_EQ(population->customers.size(), 2u);

  const CustomerSignals& one = population->customers[0];
  ASSERT_TRUE(one.long_views);
  const LongViews& v = *one.long_views;
  EXPECT_EQ(v.usage_90d, 150);
  ASSERT_TRUE(v.usage_trend_90d);
  EXPECT_DOUBLE_EQ(*v.usage_trend_90d, 30.0 / (120.0 / 2) - 1);  // -50%
  EXPECT_LT(v.usage_slope_90d, 0);  // more use early in the window than late
  EXPECT_EQ(v.days_since_last_activity, 10);
  EXPECT_EQ(v.tenure_days, D("2024-06-30") - D("2024-01-01"));
  EXPECT_EQ(v.seats, 12);
  EXPECT_EQ(v.billing_months, 12);
  EXPECT_EQ(v.auto_renew, false);
  EXPECT_EQ(v.tickets_prev30d, 2);
  ASSERT_TRUE(v.satisfaction_prev30d);
  EXPECT_DOUBLE_EQ(*v.satisfaction_prev30d, 3.0);

  const LongViews& two = *population->customers[1].long_views;
  EXPECT_EQ(two.usage_90d, 0);
  EXPECT_FALSE(two.usage_trend_90d);
  EXPECT_EQ(two.usage_slope_90d, 0);
  EXPECT_FALSE(two.days_since_last_activity);
  EXPECT_FALSE(two.tenure_days);
  EXPECT_FALSE(two.seats);
  EXPECT_FALSE(two.billing_months);  // "weekly" is not a known term
  EXPECT_FALSE(two.auto_renew);
  EXPECT_FALSE(two.satisfaction_prev30d);
}

TEST(LongViewsTest, OffByDefault) {
  const std::string dir = testing::WriteDataFolder("long_views_off", Tables());
  absl::StatusOr<PopulationSignals> population = BuildPopulationSignalsAsOf(dir, D("2024-06-30"));
  ASSERT_TRUE(population.ok()) << population.status();
  for (const CustomerSignals& c : population->customers) EXPECT_FALSE(c.long_views);
}

TEST(LongViewsTest, SlopeOfAnEvenRiseAndFall) {
  // Usage y_t = t on each day t of the window: slope 1 per day, mean daily use 45.
  LongUsageTotals rising;
  for (int t = 0; t <= kLongWindowDays; ++t) {
    rising.usage_90d += t;
    rising.weighted_usage += static_cast<double>(t) * t;
  }
  EXPECT_NEAR(LongUsageSlope(rising), 30.0 / 45.0, 1e-9);
  LongUsageTotals flat;
  for (int t = 0; t <= kLongWindowDays; ++t) {
    flat.usage_90d += 5;
    flat.weighted_usage += 5.0 * t;
  }
  EXPECT_NEAR(LongUsageSlope(flat), 0, 1e-9);
}

TEST(LongViewsTest, BillingTerms) {
  EXPECT_EQ(BillingMonths("Monthly"), 1);
  EXPECT_EQ(BillingMonths(" quarterly "), 3);
  EXPECT_EQ(BillingMonths("ANNUAL"), 12);
  EXPECT_EQ(BillingMonths("yearly"), 12);
  EXPECT_FALSE(BillingMonths(""));
}

}  // namespace
}  // namespace churn
