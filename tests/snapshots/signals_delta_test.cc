#include "snapshots/signals_delta.h"

#include <cmath>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace churn::snapshots {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

CustomerSignals Customer(const std::string& id, int64_t tickets) {
  CustomerSignals customer;
  customer.customer_id = id;
  customer.account_id = "A-" + id;
  customer.tickets_30d = tickets;
  return customer;
}

TEST(DiffSignals, EqualSnapshotsHaveNoDelta) {
  const std::vector<CustomerSignals> base = {Customer("S-1", 1), Customer("S-2", 2)};
  std::optional<SignalsDelta> delta = DiffSignals(base, base);
  ASSERT_TRUE(delta.has_value());
  EXPECT_THAT(delta->changed, IsEmpty());
  EXPECT_THAT(delta->removed_ids, IsEmpty());
}

TEST(DiffSignals, ChangedNewAndRemovedCustomersInAnyOrder) {
  const std::vector<CustomerSignals> base = {Customer("S-1", 1), Customer("S-2", 2),
                                             Customer("S-3", 3), Customer("S-4", 4)};
  std::vector<CustomerSignals> current = {Customer("S-4", 4), Customer("S-5", 5),
                                          Customer("S-2", 7), Customer("S-1", 1)};
  std::optional<SignalsDelta> delta = DiffSignals(base, current);
  ASSERT_TRUE(delta.has_value());
  EXPECT_THAT(delta->changed, ElementsAre(1, 2));  // S-5 new, S-2 changed
  EXPECT_THAT(delta->removed_ids, ElementsAre("S-3"));
}

TEST(DiffSignals, EveryFieldCounts) {
  const std::vector<CustomerSignals> base = {Customer("S-1", 1)};
  std::vector<CustomerSignals> current = base;
  current[0].satisfaction_score = 4.5;
  EXPECT_THAT(DiffSignals(base, current)->changed, ElementsAre(0));
  current = base;
  current[0].long_views = LongViews{};
  EXPECT_THAT(DiffSignals(base, current)->changed, ElementsAre(0));
  std::vector<CustomerSignals> with_views = current;
  with_views[0].long_views->seats = 3;
  EXPECT_THAT(DiffSignals(current, with_views)->changed, ElementsAre(0));
  current = base;
  current[0].industry = "Retail";
  EXPECT_THAT(DiffSignals(base, current)->changed, ElementsAre(0));
  // A NaN never equals itself: sent again rather than assumed unchanged.
  std::vector<CustomerSignals> nan = base;
  nan[0].arr = std::nan("");
  EXPECT_THAT(DiffSignals(nan, nan)->changed, ElementsAre(0));
}

TEST(DiffSignals, RepeatedIdsGiveNoDelta) {
  const std::vector<CustomerSignals> unique = {Customer("S-1", 1), Customer("S-2", 2)};
  const std::vector<CustomerSignals> repeated = {Customer("S-1", 1), Customer("S-1", 2)};
  const std::vector<CustomerSignals> repeated_new = {Customer("S-9", 1), Customer("S-9", 2)};
  EXPECT_FALSE(DiffSignals(repeated, unique).has_value());
  EXPECT_FALSE(DiffSignals(unique, repeated).has_value());
  EXPECT_FALSE(DiffSignals(unique, repeated_new).has_value());
}

TEST(DiffAlignedSignals, ComparesRowAgainstRowAndRefusesWhatDoesNotLineUp) {
  const std::vector<CustomerSignals> base = {Customer("S-1", 1), Customer("S-2", 2),
                                             Customer("S-3", 3)};
  std::vector<CustomerSignals> current = base;
  current[1].tickets_30d = 9;
  current[2].satisfaction_score = 2.0;
  std::optional<SignalsDelta> delta = DiffAlignedSignals(base, current);
  ASSERT_TRUE(delta.has_value());
  EXPECT_THAT(delta->changed, ElementsAre(1, 2));
  EXPECT_THAT(delta->removed_ids, IsEmpty());
  EXPECT_EQ(delta->changed, DiffSignals(base, current)->changed);

  std::vector<CustomerSignals> reordered = {base[1], base[0], base[2]};
  EXPECT_FALSE(DiffAlignedSignals(base, reordered).has_value());
  EXPECT_FALSE(DiffAlignedSignals(base, {base[0], base[1]}).has_value());
}

TEST(UniqueCustomerIds, ARepeatedIdIsFound) {
  EXPECT_TRUE(UniqueCustomerIds({Customer("S-1", 1), Customer("S-2", 1)}));
  EXPECT_FALSE(UniqueCustomerIds({Customer("S-1", 1), Customer("S-2", 1), Customer("S-1", 2)}));
  EXPECT_TRUE(UniqueCustomerIds({}));
}

}  // namespace
}  // namespace churn::snapshots
