// Signals as of a past date: who is in the population, and that data after the
// date is ignored.

#include "signals/signal_history.h"

#include "signals/signal_builder.h"
#include "testing/data_folder.h"
#include "gtest/gtest.h"

namespace churn {
namespace {

dataset::Day D(const char* text) { return *dataset::ParseDate(text); }

// On 2024-06-01: S-1 active; S-2 ended 05-31 (out); S-3 starts 06-02 (out);
// S-4's account churned 06-01 (out: churn on the date); S-5's account churns
// 06-02 (in); S-6 ends 06-02 (in).
std::map<std::string, std::string> Tables() {
  return {
      {"accounts.csv", "account_id,account_name\nA-1,One\nA-2,Two\nA-3,Three\n"},
      {"subscriptions.csv",
       "subscription_id,account_id,start_date,end_date,plan_tier,arr_amount,is_"
       "trial,"
       "downgrade_flag\n"
       "S-1,A-1,2024-01-01,,Pro,100,False,False\n"
       "S-2,A-1,2024-01-01,2024-05-31,Pro,100,False,False\n"
       "S-3,A-1,2024-06-02,,Pro,100,False,False\n"
       "S-4,A-2,2024-01-01,,Pro,100,False,False\n"
       "S-5,A-3,2024-01-01,,Pro,100,False,False\n"
       "S-6,A-1,2024-01-01,2024-06-02,Pro,100,False,False\n"},
      {"feature_usage.csv",
       "subscription_id,usage_date,usage_count,error_count\n"
       "S-1,2024-04-20,40,0\n"    // prior window [04-02, 05-02)
       "S-1,2024-05-20,10,2\n"    // last window [05-02, 06-01]
       "S-1,2024-06-01,5,1\n"     // on the date: counts
       "S-1,2024-06-02,500,50\n"  // after the date: ignored
       "S-5,2024-05-10,7,0\n"},
      {"churn_events.csv",
       "account_id,churn_date,reason_code\nA-2,2024-06-01,"
       "budget\nA-3,2024-06-02,pricing\n"},
      {"support_tickets.csv",
       "account_id,submitted_at,satisfaction_score,escalation_flag\n"
       "A-1,2024-05-15,2,False\n"
       "A-1,2024-06-05,1,True\n"},  // after the date: ignored
  };
}

TEST(SignalHistoryTest, PopulationAsOfTheDate) {
  const std::string dir = testing::WriteDataFolder("history", Tables());
  absl::StatusOr<PopulationSignals> population = BuildPopulationSignalsAsOf(dir, D("2024-06-01"));
  ASSERT_TRUE(population.ok()) << population.status();
  std::vector<std::string> ids;
  for (const CustomerSignals& c : population->customers) ids.push_back(c.customer_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"S-1", "S-5", "S-6"}));
  EXPECT_FALSE(population->customers[0].churned);
  EXPECT_TRUE(population->customers[1].churned);  // churns after the date
}

TEST(SignalHistoryTest, DataAfterTheDateIsIgnored) {
  const std::string dir = testing::WriteDataFolder("history_after", Tables());
  absl::StatusOr<PopulationSignals> population = BuildPopulationSignalsAsOf(dir, D("2024-06-01"));
  ASSERT_TRUE(population.ok()) << population.status();
  const CustomerSignals& s1 = population->customers[0];
  EXPECT_EQ(s1.usage_30d, 15);
  EXPECT_EQ(s1.errors_30d, 3);
  EXPECT_EQ(s1.usage_prev30d, 40);
  EXPECT_EQ(s1.tickets_30d, 1);
  EXPECT_DOUBLE_EQ(*s1.satisfaction_score, 2);
  EXPECT_FALSE(s1.escalation_flag);
}

TEST(SignalHistoryTest, SameSignalsAsTheSingleDateBuilder) {
  const std::string dir = testing::WriteDataFolder("history_same", Tables());
  absl::StatusOr<dataset::DataFiles> files = dataset::FindDataFiles(dir);
  ASSERT_TRUE(files.ok());
  absl::StatusOr<SignalHistory> history =
      SignalHistory::Load(*files, {D("2024-05-01"), D("2024-06-01")});
  ASSERT_TRUE(history.ok()) << history.status();
  for (const dataset::Day as_of : {D("2024-05-01"), D("2024-06-01")}) {
    SignalOptions options;
    options.as_of = as_of;
    absl::StatusOr<SignalSnapshot> single = BuildSignals(*files, options);
    ASSERT_TRUE(single.ok());
    absl::StatusOr<PopulationSignals> population = history->SignalsAsOf(as_of);
    ASSERT_TRUE(population.ok());
    for (size_t i = 0; i < population->customers.size(); ++i) {
      const CustomerSignals& a = population->customers[i];
      const CustomerSignals& b = single->customers[population->subscription_index[i]];
      EXPECT_EQ(a.customer_id, b.customer_id);
      EXPECT_EQ(a.usage_30d, b.usage_30d);
      EXPECT_EQ(a.usage_prev30d, b.usage_prev30d);
      EXPECT_EQ(a.errors_30d, b.errors_30d);
      EXPECT_EQ(a.tickets_30d, b.tickets_30d);
      EXPECT_EQ(a.satisfaction_score, b.satisfaction_score);
    }
  }
  EXPECT_FALSE(history->SignalsAsOf(D("2024-05-02")).ok());  // not loaded
}

}  // namespace
}  // namespace churn
