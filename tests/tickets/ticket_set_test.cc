#include "tickets/ticket_set.h"

#include <filesystem>

#include "gtest/gtest.h"
#include "testing/real_component.h"

namespace churn::tickets {
namespace {

TEST(TicketSet, UsesSubjectAndBodyAndALinkingKey) {
  absl::StatusOr<TicketSet> set = ParseTicketSet(
      "id,subject,body,account_id,created_at\n"
      "7,Renewal,\"Too expensive,\nmay cancel\",A-1,2024-12-30 10:00:00\n",
      "linked.csv", {});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->text_columns, "subject + body");
  EXPECT_EQ(set->key_column, "account_id");
  ASSERT_EQ(set->tickets.size(), 1u);
  EXPECT_EQ(set->tickets[0].ticket_id, "7");
  EXPECT_EQ(set->tickets[0].key, "A-1");
  EXPECT_EQ(set->tickets[0].text, "Subject: Renewal\n\nToo expensive,\nmay cancel");
  EXPECT_EQ(dataset::FormatDate(*set->tickets[0].submitted), "2024-12-30");
}

TEST(TicketSet, FallsBackToATextLikeColumnAndIsUnlinkedWithoutAKey) {
  absl::StatusOr<TicketSet> set = ParseTicketSet(
      "Ticket ID,Customer Email,Ticket Description\n1,a@example.com,It broke\n", "demo.csv", {});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->text_columns, "Ticket Description");
  EXPECT_EQ(set->key_column, "");  // an email is not a key of the SaaS data
  EXPECT_EQ(set->tickets[0].text, "It broke");
}

TEST(TicketSet, NoTextColumnIsAClearError) {
  absl::StatusOr<TicketSet> set = ParseTicketSet("id,amount\n1,2\n", "numbers.csv", {});
  ASSERT_FALSE(set.ok());
  EXPECT_NE(std::string(set.status().message()).find("numbers.csv:1:1: no text column"),
            std::string::npos);
}

TEST(TicketSet, CapsTheNumberOfTicketsKept) {
  TicketSetOptions options;
  options.max_tickets = 2;
  absl::StatusOr<TicketSet> set = ParseTicketSet("text\na\nb\nc\n", "three.csv", options);
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->tickets.size(), 2u);
  EXPECT_EQ(set->rows_total, 3);
}

TEST(TicketSet, ReadsTheSharedSampleSets) {
  const std::string dir = std::string(CHURN_SOURCE_DIR) + "/../shared/data/tickets";
  if (!std::filesystem::exists(dir)) CHURN_SKIP_UNLESS_CI("no ticket samples at " << dir);
  absl::StatusOr<TicketSet> kaggle = LoadTicketSet(dir + "/customer_support_tickets.csv", {});
  ASSERT_TRUE(kaggle.ok()) << kaggle.status();
  EXPECT_EQ(kaggle->rows_total, 8469);
  EXPECT_EQ(kaggle->text_columns, "Ticket Subject + Ticket Description");
  EXPECT_EQ(kaggle->key_column, "");
  absl::StatusOr<TicketSet> helpdesk = LoadTicketSet(dir + "/helpdesk_customer_tickets.csv", {});
  ASSERT_TRUE(helpdesk.ok()) << helpdesk.status();
  EXPECT_EQ(helpdesk->rows_total, 600);
  EXPECT_EQ(helpdesk->text_columns, "subject + body");
}

}  // namespace
}  // namespace churn::tickets
