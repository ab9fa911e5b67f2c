// Linking tickets to customers: real keys only, or the explicit synthetic mapping.

#include "snapshots/customer_directory.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tickets/churn_intent_linkage.h"

namespace churn::snapshots {
namespace {

std::vector<CustomerSignals> Customers() {
  std::vector<CustomerSignals> customers(4);
  customers[0].customer_id = "S-3";
  customers[0].account_id = "A-1";
  customers[1].customer_id = "S-1";
  customers[1].account_id = "A-1";
  customers[2].customer_id = "S-2";
  customers[2].account_id = "A-2";
  customers[3].customer_id = "S-2";  // a duplicate row: counted once
  customers[3].account_id = "A-2";
  return customers;
}

TEST(StableHash, IsFnv1a64) {
  EXPECT_EQ(StableHash(""), 14695981039346656037ull);
  EXPECT_EQ(StableHash("a"), 0xaf63dc4c8601ec8cull);
}

TEST(CustomerDirectory, ResolvesSubscriptionAndCustomerIdsDirectly) {
  CustomerDirectory directory(Customers());
  EXPECT_EQ(directory.size(), 3u);
  EXPECT_EQ(directory.Resolve("subscription_id", "S-3"), "S-3");
  EXPECT_EQ(directory.Resolve("customer_id", "S-2"), "S-2");
  EXPECT_EQ(directory.Resolve("subscription_id", "S-9"), "");
  EXPECT_EQ(directory.Resolve("subscription_id", ""), "");
}

TEST(CustomerDirectory, AnAccountResolvesToItsFirstSubscriptionById) {
  CustomerDirectory directory(Customers());
  EXPECT_EQ(directory.Resolve("account_id", "A-1"), "S-1");
  EXPECT_EQ(directory.Resolve("account_id", "A-2"), "S-2");
  EXPECT_EQ(directory.Resolve("account_id", "S-1"), "") << "an account key is not a customer id";
  EXPECT_EQ(directory.Resolve("", "S-1"), "") << "no key column, no link";
}

// docs/PRODUCT.md "Ticket analysis": an account's ticket counts for every subscription of the
// account. Ingest names one of them on the wire; the churn-intent count expands it back with the
// same linkage, so both sides agree on whom the ticket counts for.
TEST(CustomerDirectory, AnAccountTicketCountsForEverySubscriptionOnBothSides) {
  const std::vector<CustomerSignals> customers = Customers();
  CustomerDirectory directory(customers);
  EXPECT_THAT(directory.linkage().CustomersOf("account_id", "A-1"),
              ::testing::ElementsAre("S-1", "S-3"));
  EXPECT_THAT(directory.linkage().CustomersOf("account_id", "A-2"), ::testing::ElementsAre("S-2"));

  tickets::TicketSet set;
  set.key_column = "account_id";
  set.tickets.push_back({"T-1", "A-1", "We will cancel", *dataset::ParseDate("2024-12-20"), 2});
  const tickets::CustomerLink named = directory.LinkOf(set, set.tickets[0], false);
  EXPECT_EQ(named.customer_id, "S-1");
  EXPECT_FALSE(named.synthetic);

  std::vector<tickets::CustomerKeys> keys;
  for (const CustomerSignals& customer : customers) {
    keys.push_back({customer.customer_id, customer.account_id});
  }
  tickets::ChurnIntentTally tally(keys, *dataset::ParseDate("2024-12-31"));
  ASSERT_TRUE(tally.Admits(named.customer_id, set.tickets[0].submitted));
  EXPECT_THAT(tally.Add("account_id", named.customer_id, set.tickets[0].submitted, true),
              ::testing::ElementsAre("S-1", "S-3"));
  EXPECT_EQ(tally.intent().at("S-1"), 1);
  EXPECT_EQ(tally.intent().at("S-3"), 1);
  EXPECT_FALSE(tally.intent().contains("S-2"));
  // The same answer as counting by the account key itself.
  const tickets::ChurnIntentByCustomer by_key =
      tickets::CountChurnIntent({{"account_id", "A-1", set.tickets[0].submitted, true}}, keys,
                                *dataset::ParseDate("2024-12-31"));
  EXPECT_EQ(by_key, tally.intent());
}

TEST(CustomerDirectory, DemoSetsLinkOnlyThroughTheSyntheticMappingWhenAsked) {
  CustomerDirectory directory(Customers());
  tickets::TicketSet demo;
  demo.tickets.push_back({"T-100", "", "text", std::nullopt, 2});
  EXPECT_EQ(directory.LinkOf(demo, demo.tickets[0], false).customer_id, "");
  const tickets::CustomerLink synthetic = directory.LinkOf(demo, demo.tickets[0], true);
  EXPECT_EQ(synthetic.customer_id, directory.SyntheticCustomerFor("T-100"));
  EXPECT_TRUE(synthetic.synthetic);
}

TEST(CustomerDirectory, SyntheticMappingIsHashModuloSortedCustomers) {
  CustomerDirectory directory(Customers());
  const std::vector<std::string> sorted = {"S-1", "S-2", "S-3"};
  for (const std::string ticket : {"1", "2", "T-100", "abc"}) {
    EXPECT_EQ(directory.SyntheticCustomerFor(ticket), sorted[StableHash(ticket) % 3]) << ticket;
  }
  // Input order does not matter.
  std::vector<CustomerSignals> reversed = Customers();
  std::reverse(reversed.begin(), reversed.end());
  EXPECT_EQ(CustomerDirectory(reversed).SyntheticCustomerFor("T-100"),
            directory.SyntheticCustomerFor("T-100"));
  EXPECT_EQ(CustomerDirectory({}).SyntheticCustomerFor("T-1"), "");
}

}  // namespace
}  // namespace churn::snapshots
