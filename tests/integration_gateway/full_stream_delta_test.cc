#include "full_stream_delta.h"

#include <algorithm>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "signals/churn_intent_merge.h"
#include "unscored_views.h"

namespace churn::gateway {
namespace {

using testing::Customer;

std::vector<std::string> IdsOf(const std::vector<CustomerSignals>& customers) {
  std::vector<std::string> ids;
  for (const CustomerSignals& customer : customers) ids.push_back(customer.customer_id);
  return ids;
}

// Views of `streamed` after an intent merge of `intent`, and what their rows were streamed with.
struct MergedViews {
  std::shared_ptr<const viewsets::ViewSet> views;
  StreamedIntent streamed;
};
MergedViews ViewsOf(const std::vector<CustomerSignals>& streamed,
                    const absl::flat_hash_map<std::string, int64_t>& intent) {
  std::vector<CustomerSignals> merged = streamed;
  signals::MergeChurnIntent(intent, merged);
  std::vector<int64_t> as_streamed;
  for (const CustomerSignals& customer : streamed) as_streamed.push_back(customer.churn_intent_30d);
  return {testing::UnscoredViewsOf(merged), IntentRaisedByMerge(as_streamed, merged)};
}

// Streamed before: S-1..S-4, S-2's intent raised by the merge (1 -> 3).
const std::vector<CustomerSignals> kBefore = {Customer("S-1", 1), Customer("S-2", 2, 1),
                                              Customer("S-3", 3), Customer("S-4", 4)};
const absl::flat_hash_map<std::string, int64_t> kIntent = {{"S-2", 3}};

TEST(FullStreamDelta, KeepsOnlyTheChangedAndNewAndNamesTheGone) {
  const MergedViews before = ViewsOf(kBefore, kIntent);
  ASSERT_EQ(before.views->FindCustomer("S-2")->signals.churn_intent_30d, 3);
  FullStreamDelta fold(*before.views, before.streamed);
  // S-2 streamed as before (intent 1, not the merged 3): unchanged. S-4 changed, S-9 new, S-3
  // gone; S-1's streamed intent rose (0 -> 3): changed.
  for (const CustomerSignals& customer :
       {Customer("S-2", 2, 1), Customer("S-4", 40), Customer("S-9", 9), Customer("S-1", 1, 3)}) {
    fold.Add(customer);
  }
  EXPECT_FALSE(fold.repeated());
  EXPECT_THAT(fold.RemovedIds(), ::testing::ElementsAre("S-3"));
  const std::vector<CustomerSignals> changed = fold.TakeChanged();
  EXPECT_THAT(IdsOf(changed), ::testing::ElementsAre("S-4", "S-9", "S-1"));
  EXPECT_EQ(changed[2], Customer("S-1", 1, 3));  // as streamed
}

TEST(FullStreamDelta, TheSameStreamAgainHoldsNothing) {
  const MergedViews before = ViewsOf(kBefore, kIntent);
  FullStreamDelta fold(*before.views, before.streamed);
  for (const CustomerSignals& customer : kBefore) fold.Add(customer);
  EXPECT_FALSE(fold.repeated());
  EXPECT_TRUE(fold.RemovedIds().empty());
  EXPECT_TRUE(fold.TakeChanged().empty());
}

// The folded delta applied to the views gives the streamed signals, as ingest's own delta would.
TEST(FullStreamDelta, AppliedGivesTheStreamedSignals) {
  const MergedViews before = ViewsOf(kBefore, kIntent);
  const std::vector<CustomerSignals> now = {Customer("S-4", 4), Customer("S-2", 2, 1),
                                            Customer("S-1", 10), Customer("S-7", 7)};
  FullStreamDelta fold(*before.views, before.streamed);
  for (const CustomerSignals& customer : now) fold.Add(customer);
  const std::vector<std::string> removed = fold.RemovedIds();
  AppliedDelta delta = ApplySignalsDelta(*before.views, fold.TakeChanged(), removed);
  // With the same intent merged, the rows after the delta are the stream merged.
  MergeIntentAfterDelta(*before.views, before.streamed, kIntent, &delta);
  std::vector<CustomerSignals> after = delta.changed;
  for (uint32_t position : delta.Kept()) after.push_back(before.views->at_risk()[position].signals);
  std::vector<CustomerSignals> expected = now;
  signals::MergeChurnIntent(kIntent, expected);
  auto by_id = [](const auto& a, const auto& b) { return a.customer_id < b.customer_id; };
  std::sort(after.begin(), after.end(), by_id);
  std::sort(expected.begin(), expected.end(), by_id);
  EXPECT_EQ(after, expected);
  EXPECT_THAT(delta.Kept().size(), 2u);  // S-2 and S-4
}

// An id twice is no delta: the whole stream comes back in order, as streamed.
TEST(FullStreamDelta, ARepeatedIdGivesBackTheWholeStream) {
  const MergedViews before = ViewsOf(kBefore, kIntent);
  for (const char* repeated : {"S-2", "S-8"}) {
    const std::vector<CustomerSignals> stream = {Customer("S-1", 1), Customer("S-2", 2, 1),
                                                 Customer("S-8", 8), Customer(repeated, 5),
                                                 Customer("S-3", 3)};
    FullStreamDelta fold(*before.views, before.streamed);
    for (const CustomerSignals& customer : stream) fold.Add(customer);
    EXPECT_TRUE(fold.repeated()) << repeated;
    EXPECT_EQ(fold.TakeAll(), stream) << repeated;
  }
}

}  // namespace
}  // namespace churn::gateway
