#include "tickets/churn_intent_linkage.h"

#include "gtest/gtest.h"

namespace churn::tickets {
namespace {

dataset::Day D(const char* date) { return *dataset::ParseDate(date); }

TEST(ChurnIntentLinkage, CountsFlaggedTicketsOfTheLast30DaysPerCustomer) {
  const std::vector<CustomerKeys> customers = {
      {"S-1", "A-1"}, {"S-2", "A-1"}, {"S-3", "A-2"}, {"S-4", "A-3"}};
  const std::vector<AnalysedTicket> tickets = {
      {"account_id", "A-1", D("2024-12-31"), true},       // both subscriptions of A-1
      {"account_id", "A-1", D("2024-12-01"), true},       // T-30d: still inside
      {"account_id", "A-1", D("2024-11-30"), true},       // before the window
      {"account_id", "A-2", D("2024-12-20"), false},      // not flagged
      {"subscription_id", "S-3", D("2024-12-20"), true},  // that customer only
      {"account_id", "A-3", std::nullopt, true},          // undated: no window, not counted
      {"account_id", "A-404", D("2024-12-20"), true},     // no such customer
      {"", "", D("2024-12-20"), true},                    // unlinked (demo set)
  };
  const auto intent = CountChurnIntent(tickets, customers, D("2024-12-31"));
  EXPECT_EQ(intent.at("S-1"), 2);
  EXPECT_EQ(intent.at("S-2"), 2);
  EXPECT_EQ(intent.at("S-3"), 1);
  EXPECT_FALSE(intent.contains("S-4"));
  EXPECT_EQ(intent.size(), 3u);
}

}  // namespace
}  // namespace churn::tickets
