// Linking tickets to customers: real keys only, or the explicit synthetic mapping.

#include "snapshots/customer_directory.h"

#include "gtest/gtest.h"

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
