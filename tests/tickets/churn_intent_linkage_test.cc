#include "tickets/churn_intent_linkage.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tickets/ticket_for_analysis.h"

namespace churn::tickets {
namespace {

using ::testing::ElementsAre;

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

// The pass over streamed tickets: each names one customer (for an account, its first
// subscription); the tally filters, fans out and counts.
TEST(ChurnIntentTally, FiltersStreamedTicketsAndCountsThemForEveryCustomerTheyLinkTo) {
  const std::vector<CustomerKeys> customers = {{"S-1", "A-1"}, {"S-2", "A-1"}, {"S-3", "A-2"}};
  ChurnIntentTally tally(customers, D("2024-12-31"));
  EXPECT_TRUE(tally.Admits("S-1", D("2024-12-01")));
  EXPECT_FALSE(tally.Admits("S-1", D("2024-11-30"))) << "before the window";
  EXPECT_FALSE(tally.Admits("S-1", D("2025-01-01"))) << "after the window";
  EXPECT_FALSE(tally.Admits("S-1", std::nullopt)) << "undated";
  EXPECT_FALSE(tally.Admits("", D("2024-12-20"))) << "unlinked";

  EXPECT_THAT(tally.Add("account_id", "S-1", D("2024-12-20"), true), ElementsAre("S-1", "S-2"));
  EXPECT_THAT(tally.Add("subscription_id", "S-3", D("2024-12-20"), false), ElementsAre("S-3"));
  EXPECT_THAT(tally.Add("customer_id", "S-2", D("2024-12-21"), true), ElementsAre("S-2"));
  EXPECT_THAT(tally.Add("account_id", "S-404", D("2024-12-21"), true), ElementsAre());
  EXPECT_EQ(tally.intent().at("S-1"), 1);
  EXPECT_EQ(tally.intent().at("S-2"), 2);
  EXPECT_FALSE(tally.intent().contains("S-3")) << "not flagged";
}

TEST(TicketsForAnalysis, OneConversionOfParsedRowsWithTheCallersLink) {
  absl::StatusOr<TicketSet> set = ParseTicketSet(
      "ticket_id,account_id,submitted_at,subject,body\n"
      "T-1,A-1,2024-12-20,Renewal,We may cancel\n"
      "T-2,A-2,,Login,Cannot log in\n"
      "T-3,A-3,2024-12-22,Other,Text\n",
      "upload.csv", {});
  ASSERT_TRUE(set.ok()) << set.status();
  const std::vector<TicketForAnalysis> raw = TicketsForAnalysis(
      *set, 0, 10, [&](const TicketRecord& record) { return RawKeyLink(*set, record); });
  ASSERT_EQ(raw.size(), 3u);
  EXPECT_EQ(raw[0].ticket_id, "T-1");
  EXPECT_EQ(raw[0].customer_id, "A-1");
  EXPECT_EQ(raw[0].text, "Subject: Renewal\n\nWe may cancel");
  EXPECT_EQ(raw[0].submitted, D("2024-12-20"));
  EXPECT_FALSE(raw[1].submitted.has_value());

  const std::vector<TicketForAnalysis> middle =
      TicketsForAnalysis(*set, 1, 2, [](const TicketRecord& record) {
        return CustomerLink{"S-" + record.ticket_id, true};
      });
  ASSERT_EQ(middle.size(), 1u);
  EXPECT_EQ(middle[0].customer_id, "S-T-2");
  EXPECT_TRUE(middle[0].synthetic);

  TicketSet demo = *set;
  demo.key_column.clear();
  EXPECT_EQ(RawKeyLink(demo, demo.tickets[0]).customer_id, "");
}

}  // namespace
}  // namespace churn::tickets
