#include "viewsets/at_risk_query.h"

#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sample_views.h"

namespace churn::viewsets {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::SampleViews;

std::vector<std::string> Ids(const AtRiskPage& page) {
  std::vector<std::string> ids;
  for (const reports::ScoredCustomer* c : page.customers) ids.push_back(c->signals.customer_id);
  return ids;
}

AtRiskPage RunQuery(const AtRiskQuery& query) {
  static auto views = SampleViews();
  absl::StatusOr<AtRiskPage> page = QueryAtRisk(*views, query);
  EXPECT_TRUE(page.ok()) << page.status();
  return page.ok() ? *page : AtRiskPage{};
}

TEST(QueryAtRisk, DefaultIsTheWholeListInAtRiskOrder) {
  AtRiskPage page = RunQuery({});
  EXPECT_THAT(Ids(page), ElementsAre("S-1", "S-2", "S-4", "S-3", "S-5"));
  EXPECT_EQ(page.total_matched, 5u);
  EXPECT_EQ(page.offset, 0u);
  EXPECT_FALSE(page.has_more);
}

TEST(QueryAtRisk, FiltersByPlanTierIgnoringCase) {
  AtRiskQuery query;
  query.plan_tiers = {"PRO"};
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-4", "S-3"));
  query.plan_tiers = {"basic", "Enterprise"};
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-1", "S-2", "S-5"));
}

TEST(QueryAtRisk, FiltersByRiskLevels) {
  AtRiskQuery query;
  query.risk_levels = {scoring::RiskLevel::kHigh, scoring::RiskLevel::kMedium};
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-1", "S-2"));
  query.risk_levels = {scoring::RiskLevel::kLow};
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-4", "S-3", "S-5"));
}

TEST(QueryAtRisk, FiltersByMinimumArrInclusive) {
  AtRiskQuery query;
  query.min_arr = 1200;
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-1", "S-2", "S-4"));
}

TEST(QueryAtRisk, FiltersOnlyChurned) {
  AtRiskQuery query;
  query.only_churned = true;
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-4"));
}

TEST(QueryAtRisk, CombinesFilters) {
  AtRiskQuery query;
  query.plan_tiers = {"basic"};
  query.risk_levels = {scoring::RiskLevel::kLow};
  query.min_arr = 50;
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-5"));
  query.min_arr = 101;
  AtRiskPage page = RunQuery(query);
  EXPECT_TRUE(page.customers.empty());
  EXPECT_EQ(page.total_matched, 0u);
}

TEST(QueryAtRisk, SortsByFieldInItsNaturalDirection) {
  AtRiskQuery query;
  query.sort = AtRiskSort::kArr;
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-4", "S-1", "S-2", "S-3", "S-5"));
  query.sort = AtRiskSort::kCustomerId;
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-1", "S-2", "S-3", "S-4", "S-5"));
  query.sort = AtRiskSort::kTickets30d;  // 6, 4, 3, 0, 0: ties keep the at-risk order
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-1", "S-4", "S-3", "S-2", "S-5"));
  query.sort = AtRiskSort::kUsageDropPct;  // 0.6, 0.4, 0.05, 0, 0
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-1", "S-2", "S-3", "S-4", "S-5"));
}

TEST(QueryAtRisk, ExplicitDirectionWins) {
  AtRiskQuery query;
  query.sort = AtRiskSort::kArr;
  query.descending = false;
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-5", "S-3", "S-2", "S-1", "S-4"));
  query.sort = AtRiskSort::kCustomerId;
  query.descending = true;
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-5", "S-4", "S-3", "S-2", "S-1"));
  // Ascending risk: lowest score first, ties (S-4, S-3 at 10) keep the at-risk order.
  query.sort = AtRiskSort::kRiskScore;
  query.descending = false;
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-5", "S-4", "S-3", "S-2", "S-1"));
}

TEST(QueryAtRisk, PagesWithOffsetAndLimit) {
  AtRiskQuery query;
  query.limit = 2;
  AtRiskPage first = RunQuery(query);
  EXPECT_THAT(Ids(first), ElementsAre("S-1", "S-2"));
  EXPECT_TRUE(first.has_more);
  EXPECT_EQ(first.total_matched, 5u);
  query.offset = 4;
  AtRiskPage last = RunQuery(query);
  EXPECT_THAT(Ids(last), ElementsAre("S-5"));
  EXPECT_FALSE(last.has_more);
  EXPECT_EQ(last.offset, 4u);
  query.offset = 99;
  AtRiskPage beyond = RunQuery(query);
  EXPECT_TRUE(beyond.customers.empty());
  EXPECT_EQ(beyond.offset, 5u);
  EXPECT_EQ(beyond.total_matched, 5u);
}

TEST(QueryAtRisk, RejectsANonFiniteMinimumArr) {
  auto views = SampleViews();
  AtRiskQuery query;
  query.min_arr = std::numeric_limits<double>::quiet_NaN();
  absl::StatusOr<AtRiskPage> page = QueryAtRisk(*views, query);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(page.status().message()), HasSubstr("min_arr"));
}

// S-1 rose by 30, S-3 fell by 10, S-2 rose by 5 and entered High, S-4 is new (no change),
// S-5 is not in the history.
riskhistory::RiskMovements SampleMovements() {
  riskhistory::RiskMovements movements;
  movements.latest = 100;
  movements.previous = 93;
  movements.baseline_30d = 72;
  movements.by_customer["S-1"].score_change_30d = 30;
  movements.by_customer["S-2"].score_change_30d = 5;
  movements.by_customer["S-2"].entered_high = true;
  movements.by_customer["S-3"].score_change_30d = -10;
  movements.by_customer["S-4"].entered_high = true;
  return movements;
}

TEST(QueryAtRisk, FiltersByScoreChangeOverThirtyDays) {
  const riskhistory::RiskMovements movements = SampleMovements();
  AtRiskQuery query;
  query.movements = &movements;
  query.min_score_change_30d = 5;
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-1", "S-2"));
  query.min_score_change_30d = -100;  // customers without a change never match
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-1", "S-2", "S-3"));
  query.movements = nullptr;  // no history: nobody
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre());
}

TEST(QueryAtRisk, FiltersEnteredHigh) {
  const riskhistory::RiskMovements movements = SampleMovements();
  AtRiskQuery query;
  query.movements = &movements;
  query.only_entered_high = true;
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-2", "S-4"));
  query.min_score_change_30d = 1;
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-2"));
}

TEST(QueryAtRisk, SortsByScoreChangeWithUnknownChangesLast) {
  const riskhistory::RiskMovements movements = SampleMovements();
  AtRiskQuery query;
  query.movements = &movements;
  query.sort = AtRiskSort::kScoreChange30d;
  // Unknown changes keep the at-risk order among themselves: S-4 before S-5.
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-1", "S-2", "S-3", "S-4", "S-5"));
  query.descending = false;
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-3", "S-2", "S-1", "S-4", "S-5"));
  query.movements = nullptr;
  EXPECT_THAT(Ids(RunQuery(query)), ElementsAre("S-1", "S-2", "S-4", "S-3", "S-5"));
}

TEST(ParseAtRiskSort, AcceptsEveryDocumentedName) {
  for (AtRiskSort sort :
       {AtRiskSort::kRiskScore, AtRiskSort::kArr, AtRiskSort::kCustomerId, AtRiskSort::kAccountName,
        AtRiskSort::kPlanTier, AtRiskSort::kUsageDropPct, AtRiskSort::kTickets30d,
        AtRiskSort::kScoreChange30d}) {
    absl::StatusOr<AtRiskSort> parsed = ParseAtRiskSort(AtRiskSortName(sort));
    ASSERT_TRUE(parsed.ok()) << AtRiskSortName(sort);
    EXPECT_EQ(*parsed, sort);
  }
  EXPECT_EQ(*ParseAtRiskSort(""), AtRiskSort::kRiskScore);
}

TEST(ParseAtRiskSort, RejectsUnknownNamesListingTheValidOnes) {
  absl::StatusOr<AtRiskSort> parsed = ParseAtRiskSort("revenue");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("'revenue'"));
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr("tickets_30d"));
  EXPECT_FALSE(ParseAtRiskSort("ARR").ok());  // names are exact
}

TEST(ParseRiskLevelName, AcceptsAnyCase) {
  EXPECT_EQ(*ParseRiskLevelName("High"), scoring::RiskLevel::kHigh);
  EXPECT_EQ(*ParseRiskLevelName("medium"), scoring::RiskLevel::kMedium);
  EXPECT_EQ(*ParseRiskLevelName("LOW"), scoring::RiskLevel::kLow);
  EXPECT_EQ(ParseRiskLevelName("critical").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace churn::viewsets
