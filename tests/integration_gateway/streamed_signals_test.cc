#include "streamed_signals.h"

#include <algorithm>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace churn::gateway {
namespace {

CustomerSignals Customer(const std::string& id, int64_t tickets, int64_t intent = 0) {
  CustomerSignals customer;
  customer.customer_id = id;
  customer.tickets_30d = tickets;
  customer.churn_intent_30d = intent;
  return customer;
}

std::vector<std::string> SortedIds(const std::vector<CustomerSignals>& customers) {
  std::vector<std::string> ids;
  for (const CustomerSignals& customer : customers) ids.push_back(customer.customer_id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(StreamedSignals, TheViewsSignalsWithIngestsIntentRestored) {
  std::vector<CustomerSignals> streamed = {Customer("S-1", 1, 0), Customer("S-2", 2, 1),
                                           Customer("S-3", 3, 0)};
  std::vector<CustomerSignals> merged = streamed;
  merged[0].churn_intent_30d = 2;  // raised by linked tickets
  merged[1].churn_intent_30d = 3;
  const StreamedIntent intent = IntentRaisedByMerge(
      {streamed[0].churn_intent_30d, streamed[1].churn_intent_30d, streamed[2].churn_intent_30d},
      merged);
  EXPECT_EQ(intent.size(), 2u);
  viewsets::ViewSetInputs inputs;
  for (const CustomerSignals& customer : merged) inputs.customers.push_back({customer, {}});
  std::shared_ptr<const viewsets::ViewSet> views = viewsets::ViewSet::Build(std::move(inputs));
  std::vector<CustomerSignals> recovered = StreamedSignalsOf(*views, intent);
  std::sort(recovered.begin(), recovered.end(),
            [](const auto& a, const auto& b) { return a.customer_id < b.customer_id; });
  EXPECT_EQ(recovered, streamed);
}

TEST(StreamedSignals, DeltaReplacesAddsAndRemoves) {
  std::vector<CustomerSignals> base = {Customer("S-1", 1), Customer("S-2", 2), Customer("S-3", 3),
                                       Customer("S-4", 4)};
  ApplySignalsDelta({Customer("S-2", 20), Customer("S-9", 9), Customer("S-4", 40)}, {"S-3"}, &base);
  EXPECT_THAT(SortedIds(base), ::testing::ElementsAre("S-1", "S-2", "S-4", "S-9"));
  for (const CustomerSignals& customer : base) {
    const int64_t expected = customer.customer_id == "S-1"   ? 1
                             : customer.customer_id == "S-2" ? 20
                             : customer.customer_id == "S-4" ? 40
                                                             : 9;
    EXPECT_EQ(customer.tickets_30d, expected) << customer.customer_id;
  }
}

TEST(StreamedSignals, EmptyDeltaKeepsEverything) {
  std::vector<CustomerSignals> base = {Customer("S-1", 1), Customer("S-2", 2)};
  const std::vector<CustomerSignals> before = base;
  ApplySignalsDelta({}, {}, &base);
  EXPECT_EQ(base, before);
}

}  // namespace
}  // namespace churn::gateway
