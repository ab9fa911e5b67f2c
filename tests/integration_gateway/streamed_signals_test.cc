#include "streamed_signals.h"

#include <algorithm>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "signals/churn_intent_merge.h"
#include "unscored_views.h"

namespace churn::gateway {
namespace {

using testing::Customer;

// The signals after the delta: the kept rows' and the changed ones, sorted by id.
std::vector<CustomerSignals> SignalsAfter(const viewsets::ViewSet& views,
                                          const AppliedDelta& delta) {
  std::vector<CustomerSignals> after = delta.changed;
  for (uint32_t position : delta.Kept()) after.push_back(views.at_risk()[position].signals);
  std::sort(after.begin(), after.end(),
            [](const auto& a, const auto& b) { return a.customer_id < b.customer_id; });
  return after;
}

TEST(StreamedSignals, IntentRaisedByMergeNamesTheRaisedOnes) {
  std::vector<CustomerSignals> merged = {Customer("S-1", 1, 2), Customer("S-2", 2, 1),
                                         Customer("S-3", 3, 3)};
  const StreamedIntent intent = IntentRaisedByMerge({0, 1, 1}, merged);
  EXPECT_EQ(intent.size(), 2u);
  EXPECT_EQ(intent.at("S-1"), 0);
  EXPECT_EQ(intent.at("S-3"), 1);
}

TEST(StreamedSignals, DeltaReplacesAddsAndRemoves) {
  auto views = testing::UnscoredViewsOf(
      {Customer("S-1", 1), Customer("S-2", 2), Customer("S-3", 3), Customer("S-4", 4)});
  AppliedDelta delta = ApplySignalsDelta(
      *views, {Customer("S-2", 20), Customer("S-9", 9), Customer("S-4", 40)}, {"S-3"});
  EXPECT_EQ(delta.replaced, 2u);
  EXPECT_EQ(delta.changed.back().customer_id, "S-9");  // new ones last
  EXPECT_EQ(SignalsAfter(*views, delta),
            (std::vector<CustomerSignals>{Customer("S-1", 1), Customer("S-2", 20),
                                          Customer("S-4", 40), Customer("S-9", 9)}));
  // Keys in the views' order with replacements in place, then the new customers.
  std::vector<std::string> expected;
  for (const reports::ScoredCustomer& row : views->at_risk()) {
    if (row.signals.customer_id != "S-3") expected.push_back(row.signals.customer_id);
  }
  expected.push_back("S-9");
  std::vector<std::string> ids;
  for (const tickets::CustomerKeys& keys : CustomerKeysAfter(*views, delta)) {
    EXPECT_EQ(keys.account_id, "A" + keys.customer_id);
    ids.push_back(keys.customer_id);
  }
  EXPECT_EQ(ids, expected);
}

TEST(StreamedSignals, EmptyDeltaKeepsEverything) {
  auto views = testing::UnscoredViewsOf({Customer("S-1", 1), Customer("S-2", 2)});
  AppliedDelta delta = ApplySignalsDelta(*views, {}, {});
  EXPECT_THAT(delta.Kept(), ::testing::ElementsAre(0u, 1u));
  EXPECT_TRUE(delta.changed.empty());
}

// The delta path's intent merge against merging into every customer's streamed signals.
TEST(StreamedSignals, IntentMergeAfterDeltaMatchesAFullMerge) {
  // Streamed before: S-1..S-5; intent then raised S-1 (0 -> 2) and S-2 (1 -> 3).
  std::vector<CustomerSignals> streamed_before = {Customer("S-1", 1, 0), Customer("S-2", 2, 1),
                                                  Customer("S-3", 3, 0), Customer("S-4", 4, 5),
                                                  Customer("S-5", 5, 0)};
  const absl::flat_hash_map<std::string, int64_t> intent_before = {
      {"S-1", 2}, {"S-2", 3}, {"S-4", 1}};
  std::vector<CustomerSignals> merged_before = streamed_before;
  std::vector<int64_t> as_streamed;
  for (const CustomerSignals& c : streamed_before) as_streamed.push_back(c.churn_intent_30d);
  signals::MergeChurnIntent(intent_before, merged_before);
  const StreamedIntent streamed_intent = IntentRaisedByMerge(as_streamed, merged_before);
  auto views = testing::UnscoredViewsOf(merged_before);

  // Now: S-3 changes, S-5 leaves, S-6 is new; intent drops S-1, raises S-3, S-5 and S-6, keeps S-2.
  std::vector<CustomerSignals> changed = {Customer("S-3", 30, 0), Customer("S-6", 6, 0)};
  const absl::flat_hash_map<std::string, int64_t> intent = {
      {"S-2", 3}, {"S-3", 4}, {"S-5", 9}, {"S-6", 1}, {"S-4", 2}};
  AppliedDelta delta = ApplySignalsDelta(*views, changed, {"S-5"});
  const StreamedIntent after = MergeIntentAfterDelta(*views, streamed_intent, intent, &delta);

  std::vector<CustomerSignals> streamed_now = {Customer("S-1", 1, 0), Customer("S-2", 2, 1),
                                               Customer("S-3", 30, 0), Customer("S-4", 4, 5),
                                               Customer("S-6", 6, 0)};
  std::vector<CustomerSignals> merged_now = streamed_now;
  as_streamed.clear();
  for (const CustomerSignals& c : streamed_now) as_streamed.push_back(c.churn_intent_30d);
  signals::MergeChurnIntent(intent, merged_now);
  EXPECT_EQ(SignalsAfter(*views, delta), merged_now);
  EXPECT_EQ(after, IntentRaisedByMerge(as_streamed, merged_now));
  // S-1 lost its raise: scored again (changed); S-2 and S-4 kept their rows.
  std::vector<std::string> changed_ids;
  for (const CustomerSignals& c : delta.changed) changed_ids.push_back(c.customer_id);
  EXPECT_THAT(changed_ids, ::testing::UnorderedElementsAre("S-1", "S-3", "S-6"));
  EXPECT_EQ(delta.changed.back().customer_id, "S-6");  // new ones still last
}

}  // namespace
}  // namespace churn::gateway
