// Signals exactly as docs/PRODUCT.md "Signals" defines them, checked at every window edge.

#include "signals/signal_builder.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/data_folder.h"

namespace churn {
namespace {

using churn::testing::WriteDataFolder;

constexpr char kUsageHeader[] = "usage_id,subscription_id,usage_date,usage_count,error_count\n";
constexpr char kTicketHeader[] =
    "ticket_id,account_id,submitted_at,first_response_time_minutes,resolution_time_hours,"
    "satisfaction_score,escalation_flag\n";

const CustomerSignals& Find(const SignalSnapshot& snapshot, const std::string& id) {
  for (const CustomerSignals& signals : snapshot.customers) {
    if (signals.customer_id == id) return signals;
  }
  ADD_FAILURE() << "no customer " << id;
  static const CustomerSignals kNone;
  return kNone;
}

SignalSnapshot Build(const std::string& dir, SignalOptions options = {}) {
  absl::StatusOr<SignalSnapshot> snapshot = BuildSignalsFromFolder(dir, options);
  EXPECT_TRUE(snapshot.ok()) << snapshot.status();
  return snapshot.ok() ? *std::move(snapshot) : SignalSnapshot{};
}

TEST(Signals, UsageWindowsAreInclusiveCalendarRanges) {
  // E = 2024-12-31: last window [2024-12-01, 2024-12-31], prior [2024-11-01, 2024-12-01).
  const std::string dir = WriteDataFolder(
      "usage_edges", {{"feature_usage.csv",
                       std::string(kUsageHeader) +
                           "U1,S-1,2024-12-31,1,1\n"      // E: last
                           "U2,S-1,2024-12-01,2,2\n"      // E-30d: last
                           "U3,S-1,2024-11-30,4,4\n"      // E-31d: prior
                           "U4,S-1,2024-11-01,8,8\n"      // E-60d: prior
                           "U5,S-1,2024-10-31,16,16\n"    // E-61d: neither
                           "U6,S-1,2024-11-15 10:00:00,32,0\n"}});  // prior, with a time part
  SignalSnapshot snapshot = Build(dir);
  EXPECT_EQ(dataset::FormatDate(*snapshot.usage_window_end), "2024-12-31");
  const CustomerSignals& s = Find(snapshot, "S-1");
  EXPECT_EQ(s.usage_30d, 3);
  EXPECT_EQ(s.errors_30d, 3);
  EXPECT_EQ(s.usage_prev30d, 44);
  EXPECT_DOUBLE_EQ(s.usage_drop_pct, (44.0 - 3.0) / 44.0);
}

TEST(Signals, UsageDropIsZeroWithoutAPriorOrWhenUsageGrew) {
  const std::string dir = WriteDataFolder(
      "usage_drop", {{"feature_usage.csv", std::string(kUsageHeader) +
                                               "U1,S-1,2024-12-31,10,0\n"    // no prior usage
                                               "U2,S-2,2024-12-31,30,0\n"    // grew from 20
                                               "U3,S-2,2024-11-10,20,0\n"}});
  SignalSnapshot snapshot = Build(dir);
  EXPECT_EQ(Find(snapshot, "S-1").usage_drop_pct, 0);
  EXPECT_EQ(Find(snapshot, "S-2").usage_drop_pct, 0);
  EXPECT_EQ(Find(snapshot, "S-2").usage_prev30d, 20);
}

TEST(Signals, SupportWindowCountsTicketsOfTheAccount) {
  // T = 2024-12-31: tickets in [2024-12-01, 2024-12-31].
  const std::string dir = WriteDataFolder(
      "support_edges", {{"support_tickets.csv",
                         std::string(kTicketHeader) +
                             "T1,A-1,2024-12-31 23:00:00,10,2,4,False\n"
                             "T2,A-1,2024-12-01,20,4,,True\n"
                             "T3,A-1,2024-11-30,99,99,1,True\n"   // before the window
                             "T4,A-1,2024-12-15,,,2,False\n"
                             "T5,A-2,2024-12-10,5,1,,False\n"}});
  SignalSnapshot snapshot = Build(dir);
  EXPECT_EQ(dataset::FormatDate(*snapshot.support_window_end), "2024-12-31");
  const CustomerSignals& s = Find(snapshot, "S-1");
  EXPECT_EQ(s.tickets_30d, 3);
  ASSERT_TRUE(s.satisfaction_score);
  EXPECT_DOUBLE_EQ(*s.satisfaction_score, 3.0);  // mean of 4 and 2; the blank is skipped
  EXPECT_TRUE(s.escalation_flag);
  EXPECT_DOUBLE_EQ(*s.avg_first_response_min, 15.0);
  EXPECT_DOUBLE_EQ(*s.avg_resolution_hours, 3.0);
  const CustomerSignals& other = Find(snapshot, "S-2");
  EXPECT_EQ(other.tickets_30d, 1);
  EXPECT_FALSE(other.satisfaction_score);  // no non-blank score: absent, not 0
  EXPECT_FALSE(other.escalation_flag);
}

TEST(Signals, AccountAttributesLabelsAndFlagsAreJoined) {
  SignalSnapshot snapshot = Build(WriteDataFolder("joined"));
  const CustomerSignals& acme = Find(snapshot, "S-1");
  EXPECT_EQ(acme.account_name, "Acme");
  EXPECT_EQ(acme.industry, "FinTech");
  EXPECT_EQ(acme.plan_tier, "Pro");
  EXPECT_EQ(acme.arr, 12000);
  EXPECT_FALSE(acme.churned);
  const CustomerSignals& globex = Find(snapshot, "S-2");
  EXPECT_TRUE(globex.churned);  // A-2 has a churn event
  EXPECT_TRUE(globex.is_trial);
  EXPECT_TRUE(globex.downgrade_flag);
  EXPECT_EQ(snapshot.churn_reason_counts.at("pricing"), 1);
}

TEST(Signals, AsOfDateMovesBothWindows) {
  SignalOptions options;
  options.as_of = dataset::ParseDate("2024-12-15");
  SignalSnapshot snapshot = Build(WriteDataFolder("as_of"), options);
  EXPECT_EQ(dataset::FormatDate(*snapshot.usage_window_end), "2024-12-15");
  EXPECT_EQ(dataset::FormatDate(*snapshot.support_window_end), "2024-12-15");
  const CustomerSignals& s = Find(snapshot, "S-1");
  EXPECT_EQ(s.usage_30d, 20);  // 2024-11-15 is now in the last window; 2024-12-31 is after it
  EXPECT_EQ(s.tickets_30d, 0);  // T-1 (12-20) and T-2 (12-31) are after the as-of date
  EXPECT_EQ(Find(snapshot, "S-2").usage_30d, 5);
}

TEST(Signals, ChurnIntentComesFromEnrichment) {
  SignalOptions options;
  options.churn_intent_by_customer["S-2"] = 2;
  SignalSnapshot snapshot = Build(WriteDataFolder("intent"), options);
  EXPECT_EQ(Find(snapshot, "S-1").churn_intent_30d, 0);
  EXPECT_EQ(Find(snapshot, "S-2").churn_intent_30d, 2);
}

TEST(Signals, OrphanSubscriptionIsScoredWithoutAccountData) {
  SignalSnapshot snapshot = Build(WriteDataFolder(
      "orphan_subscription",
      {{"subscriptions.csv",
        "subscription_id,account_id,plan_tier,arr_amount,is_trial,downgrade_flag\n"
        "S-1,A-1,Pro,100,False,False\nS-9,A-404,Basic,50,False,False\n"}}));
  const CustomerSignals& orphan = Find(snapshot, "S-9");
  EXPECT_EQ(orphan.account_id, "A-404");
  EXPECT_EQ(orphan.account_name, "");
  EXPECT_EQ(orphan.tickets_30d, 0);
}

TEST(Signals, EmptyUsageTableLeavesNoWindowEnd) {
  SignalSnapshot snapshot =
      Build(WriteDataFolder("no_usage", {{"feature_usage.csv", kUsageHeader}}));
  EXPECT_FALSE(snapshot.usage_window_end);
  EXPECT_EQ(Find(snapshot, "S-1").usage_30d, 0);
}

}  // namespace
}  // namespace churn
