#include "viewsets/at_risk_page_token.h"

#include "sample_views.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace churn::viewsets {
namespace {

using ::testing::HasSubstr;
using testing::SampleViews;

AtRiskQuery ProAndBasic() {
  AtRiskQuery query;
  query.plan_tiers = {"Pro", "Basic"};
  query.risk_levels = {scoring::RiskLevel::kLow, scoring::RiskLevel::kHigh};
  query.min_arr = 100;
  return query;
}

TEST(AtRiskPageTokenTest, GivesTheOffsetBackForTheSameViewsAndFilters) {
  std::shared_ptr<const ViewSet> views = SampleViews();
  const AtRiskQuery query = ProAndBasic();
  absl::StatusOr<size_t> offset =
      AtRiskOffsetFromToken(AtRiskPageToken(*views, query, 25), *views, query);
  ASSERT_TRUE(offset.ok()) << offset.status();
  EXPECT_EQ(*offset, 25u);
}

// One query's tokens fingerprinted once are the tokens the free functions write and read; the
// views' fingerprint is computed once per ViewSet.
TEST(AtRiskPageTokenTest, TokensOfOneQueryAreThoseOfTheFreeFunctions) {
  std::shared_ptr<const ViewSet> views = SampleViews();
  const AtRiskQuery query = ProAndBasic();
  const AtRiskPageTokens tokens(*views, query);
  EXPECT_EQ(tokens.Token(25), AtRiskPageToken(*views, query, 25));
  absl::StatusOr<size_t> offset = tokens.Offset(AtRiskPageToken(*views, query, 50));
  ASSERT_TRUE(offset.ok()) << offset.status();
  EXPECT_EQ(*offset, 50u);
  AtRiskQuery other = query;
  other.min_arr = 200;
  EXPECT_FALSE(tokens.Offset(AtRiskPageToken(*views, other, 50)).ok());
  // Remembered: a later compute is not asked.
  int computed = 0;
  const std::string remembered = views->at_risk_query_cache().ViewsFingerprint([&] {
    ++computed;
    return std::string("other");
  });
  EXPECT_EQ(computed, 0);
  EXPECT_EQ(remembered.size(), 16u);
}

TEST(AtRiskPageTokenTest, MovementFiltersBindTheMovementsInForce) {
  std::shared_ptr<const ViewSet> views = SampleViews();
  riskhistory::RiskMovements movements;
  movements.generation = 1;
  AtRiskQuery query;
  query.movements = &movements;
  query.only_entered_high = true;
  const std::string token = AtRiskPageToken(*views, query, 10);
  ASSERT_TRUE(AtRiskOffsetFromToken(token, *views, query).ok());
  riskhistory::RiskMovements newer = movements;
  newer.generation = 2;
  query.movements = &newer;
  EXPECT_FALSE(AtRiskOffsetFromToken(token, *views, query).ok());
  query.only_entered_high = false;
  EXPECT_FALSE(AtRiskOffsetFromToken(token, *views, query).ok());  // other filters
  // A query without movement filters or sort is not bound to the movements.
  const std::string plain = AtRiskPageToken(*views, query, 10);
  query.movements = &movements;
  EXPECT_TRUE(AtRiskOffsetFromToken(plain, *views, query).ok());
}

TEST(AtRiskPageTokenTest, IgnoresHowTheFiltersWereSpelledAndThePaging) {
  std::shared_ptr<const ViewSet> views = SampleViews();
  const std::string token = AtRiskPageToken(*views, ProAndBasic(), 25);
  AtRiskQuery respelled;
  respelled.plan_tiers = {"basic", "PRO", "pro"};
  respelled.risk_levels = {scoring::RiskLevel::kHigh, scoring::RiskLevel::kLow};
  respelled.min_arr = 100;
  respelled.limit = 10;  // a different page size is fine
  respelled.offset = 3;
  respelled.descending = true;  // risk_score's natural direction, spelled out
  absl::StatusOr<size_t> offset = AtRiskOffsetFromToken(token, *views, respelled);
  ASSERT_TRUE(offset.ok()) << offset.status();
  EXPECT_EQ(*offset, 25u);
}

TEST(AtRiskPageTokenTest, RefusesATokenFromOtherViews) {
  const AtRiskQuery query = ProAndBasic();
  const std::string token = AtRiskPageToken(*SampleViews(7), query, 25);
  // A newer snapshot, and the same snapshot rebuilt (e.g. rescored) later.
  for (const std::shared_ptr<const ViewSet>& other :
       {SampleViews(8), SampleViews(7, absl::FromUnixSeconds(1700000060))}) {
    absl::StatusOr<size_t> offset = AtRiskOffsetFromToken(token, *other, query);
    ASSERT_EQ(offset.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(offset.status().message()),
                HasSubstr("page token is from an older snapshot; start from the first page"));
  }
}

TEST(AtRiskPageTokenTest, RefusesATokenForOtherFiltersOrSort) {
  std::shared_ptr<const ViewSet> views = SampleViews();
  const std::string token = AtRiskPageToken(*views, ProAndBasic(), 25);
  std::vector<AtRiskQuery> others(6, ProAndBasic());
  others[0].plan_tiers = {"Pro"};
  others[1].risk_levels.clear();
  others[2].min_arr = 101;
  others[3].only_churned = true;
  others[4].sort = AtRiskSort::kArr;
  others[5].descending = false;
  for (const AtRiskQuery& other : others) {
    absl::StatusOr<size_t> offset = AtRiskOffsetFromToken(token, *views, other);
    ASSERT_EQ(offset.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(offset.status().message()), HasSubstr("other filters or sort"));
  }
}

}  // namespace
}  // namespace churn::viewsets
