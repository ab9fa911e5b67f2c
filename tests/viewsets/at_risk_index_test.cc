// The at-risk index and the indexed query against the plain filter-and-sort (QueryAtRiskByScan)
// on random customer bases full of ties, mixed-case tiers, shared long name prefixes and
// duplicated ids.
#include "viewsets/at_risk_index.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "viewsets/at_risk_query.h"
#include "viewsets/at_risk_sort.h"
#include "viewsets/view_set.h"

namespace churn::viewsets {
namespace {

std::vector<reports::ScoredCustomer> RandomCustomers(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int k) { return static_cast<int>(rng() % static_cast<uint32_t>(k)); };
  const std::vector<std::string> tiers = {"Pro", "pro", "Basic", "Enterprise", "", "PRO"};
  std::vector<reports::ScoredCustomer> rows(n);
  for (size_t i = 0; i < n; ++i) {
    reports::ScoredCustomer& row = rows[i];
    // A few ids repeat, as a dirty export can.
    row.signals.customer_id = "S-" + std::to_string(pick(10) == 0 ? pick(50) : 1000 + i);
    // Names share a 20-byte or a 37-byte prefix half of the time, so the sort must read past the
    // 32 bytes of its keys.
    row.signals.account_name =
        (pick(2) ? (pick(2) ? "Company Holdings Intl " : "Company Holdings International Group ")
                 : "Co ") +
        std::to_string(pick(static_cast<int>(n)));
    row.signals.plan_tier = tiers[pick(static_cast<int>(tiers.size()))];
    row.signals.arr = pick(8) == 0 ? -100.0 * pick(3) : 1000.0 * pick(40);
    row.signals.churned = pick(5) == 0;
    row.signals.usage_drop_pct = pick(4) * 0.25;
    row.signals.tickets_30d = pick(6);
    row.assessment.customer_id = row.signals.customer_id;
    row.assessment.risk_score = 5 * pick(21);
    row.assessment.risk_level = static_cast<scoring::RiskLevel>(pick(3));
  }
  return rows;
}

std::shared_ptr<const ViewSet> ViewsOf(std::vector<reports::ScoredCustomer> rows) {
  ViewSetInputs inputs;
  inputs.customers = std::move(rows);
  return ViewSet::Build(std::move(inputs));
}

riskhistory::RiskMovements RandomMovements(const ViewSet& views, uint32_t seed,
                                           int64_t generation) {
  std::mt19937 rng(seed);
  riskhistory::RiskMovements movements;
  for (const reports::ScoredCustomer& row : views.at_risk()) {
    if (rng() % 4 == 0) continue;  // not in the latest snapshot
    riskhistory::RiskMovement movement;
    if (rng() % 3 != 0) movement.score_change_30d = static_cast<int>(rng() % 41) - 20;
    movement.entered_high = rng() % 7 == 0;
    movements.by_customer.try_emplace(row.signals.customer_id, movement);
  }
  movements.generation = generation;
  return movements;
}

AtRiskQuery RandomQuery(std::mt19937& rng, const riskhistory::RiskMovements* movements) {
  auto pick = [&](int k) { return static_cast<int>(rng() % static_cast<uint32_t>(k)); };
  AtRiskQuery query;
  const std::vector<std::string> tiers = {"pro", "BASIC", "Enterprise", "", "Gold"};
  if (pick(3) == 0) {
    for (int k = pick(3); k >= 0; --k) query.plan_tiers.push_back(tiers[pick(5)]);
  }
  if (pick(2) == 0) {
    for (int k = pick(3); k >= 0; --k) {
      query.risk_levels.push_back(static_cast<scoring::RiskLevel>(pick(3)));
    }
  }
  if (pick(3) == 0) query.min_arr = pick(2) ? 1000.0 * pick(40) : -150;
  query.only_churned = pick(6) == 0;
  if (pick(4) == 0) query.min_score_change_30d = pick(41) - 20;
  query.only_entered_high = pick(8) == 0;
  query.movements = movements;
  query.sort = kAllAtRiskSorts[pick(8)];
  if (pick(3) != 0) query.descending = pick(2) == 0;
  query.offset = pick(3) == 0 ? 0 : static_cast<size_t>(pick(400));
  query.limit = static_cast<size_t>(pick(60));
  return query;
}

void ExpectSameAsScan(const ViewSet& views, const AtRiskQuery& query, const std::string& what) {
  absl::StatusOr<AtRiskPage> expected = QueryAtRiskByScan(views, query);
  ASSERT_TRUE(expected.ok()) << expected.status();
  // Twice: the second answer comes from the query cache when the first was remembered.
  for (int round = 0; round < 2; ++round) {
    absl::StatusOr<AtRiskPage> got = QueryAtRisk(views, query);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->customers, expected->customers) << what << " round " << round;
    EXPECT_EQ(got->positions, expected->positions) << what << " round " << round;
    ASSERT_EQ(got->positions.size(), got->customers.size()) << what;
    for (size_t i = 0; i < got->positions.size(); ++i) {
      ASSERT_EQ(&views.at_risk()[got->positions[i]], got->customers[i]) << what;
    }
    EXPECT_EQ(got->total_matched, expected->total_matched) << what;
    EXPECT_EQ(got->offset, expected->offset) << what;
    EXPECT_EQ(got->has_more, expected->has_more) << what;
  }
}

void ExpectEveryOrderIsTheStableSort(const ViewSet& views) {
  const AtRiskRows& rows = views.at_risk();
  for (AtRiskSort sort : kAllAtRiskSorts) {
    if (sort == AtRiskSort::kScoreChange30d) continue;
    for (bool descending : {false, true}) {
      std::vector<uint32_t> expected(rows.size());
      std::iota(expected.begin(), expected.end(), 0u);
      std::stable_sort(expected.begin(), expected.end(), [&](uint32_t a, uint32_t b) {
        const int order = CompareAtRiskField(sort, rows[a], rows[b]);
        return descending ? order > 0 : order < 0;
      });
      EXPECT_EQ(views.at_risk_index().Order(sort, descending), expected)
          << AtRiskSortName(sort) << (descending ? " desc" : " asc");
    }
  }
}

TEST(AtRiskIndex, EveryOrderIsTheStableSortOfTheAtRiskOrder) {
  ExpectEveryOrderIsTheStableSort(*ViewsOf(RandomCustomers(3000, 1)));
}

// Few distinct names (ranked once, then placed by rank) and as many as rows (sorted by
// comparison): both orders are the stable sort.
TEST(AtRiskIndex, NameOrdersWithFewOrManyDistinctNames) {
  for (int distinct : {1, 7, 300, 5000}) {
    std::vector<reports::ScoredCustomer> rows = RandomCustomers(5000, 7);
    std::mt19937 rng(static_cast<uint32_t>(distinct));
    for (reports::ScoredCustomer& row : rows) {
      const int name = static_cast<int>(rng() % static_cast<uint32_t>(distinct));
      // Long shared prefixes, a prefix of another name, and the empty name.
      row.signals.account_name =
          name == 0  ? ""
          : name % 3 ? "Company Holdings International Group " + std::to_string(name)
                     : "Company Holdings International Group";
      if (name % 5 == 0) row.signals.account_name += "x" + std::to_string(name);
    }
    SCOPED_TRACE(distinct);
    ExpectEveryOrderIsTheStableSort(*ViewsOf(std::move(rows)));
  }
}

// A NaN ARR or usage drop has no place among the numbers: after all of them ascending (NaNs
// in at-risk order), before them descending; -0 and 0 are one value.
TEST(AtRiskIndex, NanSortsAfterEveryNumberAscending) {
  std::vector<reports::ScoredCustomer> rows = RandomCustomers(2000, 3);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i % 7 == 0) rows[i].signals.arr = nan;
    if (i % 11 == 0) rows[i].signals.arr = i % 2 ? inf : -inf;
    if (i % 13 == 0) rows[i].signals.arr = i % 2 ? -0.0 : 0.0;
    if (i % 5 == 0) rows[i].signals.usage_drop_pct = nan;
  }
  std::shared_ptr<const ViewSet> views = ViewsOf(std::move(rows));
  const AtRiskRows& sorted = views->at_risk();
  for (AtRiskSort sort : {AtRiskSort::kArr, AtRiskSort::kUsageDropPct}) {
    auto value = [&](uint32_t i) {
      return sort == AtRiskSort::kArr ? sorted[i].signals.arr : sorted[i].signals.usage_drop_pct;
    };
    std::vector<uint32_t> numbers, nans;
    for (uint32_t i = 0; i < sorted.size(); ++i)
      (std::isnan(value(i)) ? nans : numbers).push_back(i);
    ASSERT_FALSE(nans.empty());
    for (bool descending : {false, true}) {
      std::vector<uint32_t> expected = numbers;
      std::stable_sort(expected.begin(), expected.end(), [&](uint32_t a, uint32_t b) {
        return descending ? value(a) > value(b) : value(a) < value(b);
      });
      expected.insert(descending ? expected.begin() : expected.end(), nans.begin(), nans.end());
      EXPECT_EQ(views->at_risk_index().Order(sort, descending), expected)
          << AtRiskSortName(sort) << (descending ? " desc" : " asc");
    }
  }
}

TEST(AtRiskIndex, TiersMatchIgnoringCase) {
  std::shared_ptr<const ViewSet> views = ViewsOf(RandomCustomers(500, 2));
  const AtRiskIndex& index = views->at_risk_index();
  ASSERT_TRUE(index.TierId("PRO").has_value());
  EXPECT_EQ(index.TierId("PRO"), index.TierId("pro"));
  EXPECT_NE(index.TierId("pro"), index.TierId("basic"));
  EXPECT_FALSE(index.TierId("Gold").has_value());
}

void ExpectOrderedByChange(const ViewSet& views, const riskhistory::RiskMovements& movements) {
  MovementColumns columns(views.at_risk(), &movements);
  for (size_t i = 0; i < views.at_risk().size(); ++i) {
    const riskhistory::RiskMovement* movement =
        movements.Find(views.at_risk()[i].signals.customer_id);
    EXPECT_EQ(columns.score_change_30d[i], movement && movement->score_change_30d
                                               ? *movement->score_change_30d
                                               : MovementColumns::kNoChange);
    EXPECT_EQ(columns.entered_high[i], movement && movement->entered_high ? 1 : 0);
  }
  for (bool descending : {false, true}) {
    const std::vector<uint32_t>& order = columns.by_change[descending ? 1 : 0];
    ASSERT_EQ(order.size(), views.at_risk().size());
    for (size_t i = 1; i < order.size(); ++i) {
      const int32_t a = columns.score_change_30d[order[i - 1]];
      const int32_t b = columns.score_change_30d[order[i]];
      if (b == MovementColumns::kNoChange) {
        if (a == MovementColumns::kNoChange) {
          EXPECT_LT(order[i - 1], order[i]);
        }
        continue;
      }
      ASSERT_NE(a, MovementColumns::kNoChange) << "a row without change before one with";
      if (a == b) {
        EXPECT_LT(order[i - 1], order[i]);
      } else {
        EXPECT_EQ(a > b, descending);
      }
    }
    std::vector<uint32_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    for (uint32_t i = 0; i < sorted.size(); ++i) ASSERT_EQ(sorted[i], i) << "not a permutation";
  }
}

TEST(MovementColumns, OrderByChangeWithRowsWithoutChangeLast) {
  std::shared_ptr<const ViewSet> views = ViewsOf(RandomCustomers(2000, 3));
  ExpectOrderedByChange(*views, RandomMovements(*views, 4, 1));
  // No movements at all, and changes far outside the score scale (sorted by comparison).
  ExpectOrderedByChange(*views, riskhistory::RiskMovements{});
  riskhistory::RiskMovements wide = RandomMovements(*views, 5, 1);
  int k = 0;
  for (size_t row = 0; row < wide.by_customer.size(); ++row) {
    riskhistory::RiskMovement* movement =
        wide.by_customer.try_emplace(wide.by_customer.id(row), {}).first;
    if (movement->score_change_30d) *movement->score_change_30d *= (++k % 5 == 0 ? 100000 : 1);
  }
  ExpectOrderedByChange(*views, wide);
}

TEST(MovementColumns, PreparedColumnsAreTheOnesQueriesUse) {
  std::shared_ptr<const ViewSet> views = ViewsOf(RandomCustomers(500, 9));
  const riskhistory::RiskMovements movements = RandomMovements(*views, 10, 4);
  PrepareMovementColumns(*views, movements);
  bool built_again = false;
  std::shared_ptr<const MovementColumns> held =
      views->at_risk_query_cache().MovementsOrBuild(movements.generation, [&] {
        built_again = true;
        return std::make_shared<const MovementColumns>(views->at_risk(), &movements);
      });
  EXPECT_FALSE(built_again);
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(held->score_change_30d, MovementColumns(views->at_risk(), &movements).score_change_30d);
}

TEST(QueryAtRiskIndexed, SameAsScanOnRandomQueries) {
  std::shared_ptr<const ViewSet> views = ViewsOf(RandomCustomers(3000, 5));
  // Published movements (remembered per generation), unpublished ones, and none at all.
  const riskhistory::RiskMovements published = RandomMovements(*views, 6, 3);
  const riskhistory::RiskMovements unpublished = RandomMovements(*views, 7, 0);
  std::mt19937 rng(8);
  for (int i = 0; i < 600; ++i) {
    const riskhistory::RiskMovements* movements =
        i % 3 == 0 ? &published : (i % 3 == 1 ? &unpublished : nullptr);
    ExpectSameAsScan(*views, RandomQuery(rng, movements), "query " + std::to_string(i));
  }
}

TEST(QueryAtRiskIndexed, NewMovementsGenerationIsNotAnsweredFromTheOldOne) {
  std::shared_ptr<const ViewSet> views = ViewsOf(RandomCustomers(1000, 9));
  AtRiskQuery query;
  query.sort = AtRiskSort::kScoreChange30d;
  query.min_score_change_30d = 0;
  query.limit = 20;
  const riskhistory::RiskMovements first = RandomMovements(*views, 10, 1);
  query.movements = &first;
  ExpectSameAsScan(*views, query, "generation 1");
  const riskhistory::RiskMovements second = RandomMovements(*views, 11, 2);
  query.movements = &second;
  ExpectSameAsScan(*views, query, "generation 2");
}

TEST(QueryAtRiskIndexed, SameAsScanOnALargeBase) {
  // Large enough for the index to sort on two threads.
  std::shared_ptr<const ViewSet> views = ViewsOf(RandomCustomers(120000, 12));
  const riskhistory::RiskMovements movements = RandomMovements(*views, 13, 1);
  std::mt19937 rng(14);
  for (int i = 0; i < 24; ++i) {
    ExpectSameAsScan(*views, RandomQuery(rng, &movements), "query " + std::to_string(i));
  }
}

}  // namespace
}  // namespace churn::viewsets
