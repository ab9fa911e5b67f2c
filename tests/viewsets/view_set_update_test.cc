// ViewSet::Update (the views of a refresh where a few customers changed, merged into the previous
// views) against ViewSet::Build of the same rows, through a chain of random deltas: changed
// scores, levels, tiers, ARR and texts, removed and added customers, now and then a large delta
// or a repeated id (both sorted afresh). Every view, order, column, filter and lookup must match,
// and the ids that left must not be found (the customer index is patched, not rebuilt).
#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reports/summary.h"
#include "viewsets/at_risk_query.h"
#include "viewsets/at_risk_sort.h"
#include "viewsets/view_set.h"

namespace churn::viewsets {
namespace {

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}
  int Pick(int k) { return static_cast<int>(rng_() % static_cast<uint32_t>(k)); }
  std::mt19937& rng() { return rng_; }

  // A customer with few distinct values per field, so every order is full of ties.
  reports::ScoredCustomer Customer(const std::string& id) {
    static const std::vector<std::string> kTiers = {"Pro", "pro", "Basic",  "Enterprise",
                                                    "",    "PRO", "Starter"};
    static const std::vector<std::string> kRules = {"usage_drop", "support_load", "churn_intent",
                                                    "low_seats"};
    reports::ScoredCustomer row;
    row.signals.customer_id = id;
    row.signals.account_id = "A" + id;
    row.signals.account_name =
        (Pick(2) ? "Company Holdings Intl " : "Co ") + std::to_string(Pick(300));
    row.signals.plan_tier = kTiers[Pick(static_cast<int>(kTiers.size()))];
    row.signals.industry = "Industry " + std::to_string(Pick(5));
    row.signals.country = Pick(10) == 0 ? "" : "C" + std::to_string(Pick(8));
    row.signals.arr = Pick(8) == 0 ? -100.0 * Pick(3) : 1000.0 * Pick(40) + 0.1 * Pick(3);
    row.signals.churned = Pick(5) == 0;
    row.signals.usage_drop_pct = Pick(4) * 0.25;
    row.signals.tickets_30d = Pick(6);
    row.assessment.customer_id = id;
    row.assessment.risk_score = 5 * Pick(21);
    row.assessment.risk_level = static_cast<scoring::RiskLevel>(Pick(3));
    const int fired = Pick(4);
    for (int i = 0; i < fired; ++i) {
      row.assessment.fired_rules.push_back({kRules[Pick(4)], "t", 10, "reason"});
    }
    for (int i = 0; i < Pick(fired + 1); ++i) row.assessment.reasons.push_back("reason");
    return row;
  }

  // The same customer with one or a few fields changed.
  reports::ScoredCustomer Changed(const reports::ScoredCustomer& before) {
    reports::ScoredCustomer row = Customer(before.signals.customer_id);
    if (Pick(3) != 0) row.signals = before.signals;  // often only the assessment moved
    if (Pick(2) == 0) row.signals.tickets_30d = before.signals.tickets_30d + 1;
    return row;
  }

 private:
  std::mt19937 rng_;
};

ViewSetInputs InputsWith(std::vector<reports::ScoredCustomer> customers, int step) {
  ViewSetInputs inputs;
  inputs.customers = std::move(customers);
  inputs.snapshot_version = step;
  inputs.snapshot_instance = "instance";
  inputs.rules_sha256 = "rules-" + std::to_string(step % 3);
  inputs.churn_reason_counts = {{"pricing", step % 4}, {"budget", 2}};
  inputs.rule_labels = {{"usage_drop", "Usage drop"}, {"support_load", "Tickets"}};
  inputs.usage_window_end = dataset::Day{19000 + step};
  return inputs;
}

void ExpectSameRow(const reports::ScoredCustomer& a, const reports::ScoredCustomer& b) {
  EXPECT_EQ(a.signals, b.signals);
  EXPECT_EQ(a.assessment.risk_score, b.assessment.risk_score);
  EXPECT_EQ(a.assessment.risk_level, b.assessment.risk_level);
  EXPECT_EQ(a.assessment.reasons, b.assessment.reasons);
  EXPECT_EQ(a.assessment.fired_rules.size(), b.assessment.fired_rules.size());
}

void ExpectSameSegments(const std::vector<reports::SegmentRisk>& a,
                        const std::vector<reports::SegmentRisk>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].segment, b[i].segment);
    EXPECT_EQ(a[i].customers, b[i].customers);
    EXPECT_EQ(a[i].mean_risk_score, b[i].mean_risk_score);
    EXPECT_EQ(a[i].high, b[i].high);
    EXPECT_EQ(a[i].medium, b[i].medium);
    EXPECT_EQ(a[i].low, b[i].low);
  }
}

void ExpectSameDrivers(const reports::DriversSummary& a, const reports::DriversSummary& b) {
  ExpectSameSegments(a.by_plan_tier, b.by_plan_tier);
  ASSERT_EQ(a.drivers.size(), b.drivers.size());
  for (size_t i = 0; i < a.drivers.size(); ++i) {
    EXPECT_EQ(a.drivers[i].rule, b.drivers[i].rule);
    EXPECT_EQ(a.drivers[i].label, b.drivers[i].label);
    EXPECT_EQ(a.drivers[i].customers, b.drivers[i].customers);
  }
  EXPECT_EQ(a.churn_reasons, b.churn_reasons);
}

void ExpectSameExecutive(const reports::ExecutiveSummary& a, const reports::ExecutiveSummary& b) {
  EXPECT_EQ(a.customers, b.customers);
  EXPECT_EQ(a.churned_customers, b.churned_customers);
  EXPECT_EQ(a.churn_rate, b.churn_rate);
  EXPECT_EQ(a.high_risk_count, b.high_risk_count);
  EXPECT_EQ(a.medium_risk_count, b.medium_risk_count);
  EXPECT_EQ(a.low_risk_count, b.low_risk_count);
  EXPECT_EQ(a.high_risk_share, b.high_risk_share);
  EXPECT_EQ(a.total_arr, b.total_arr);
  EXPECT_EQ(a.average_arr, b.average_arr);
  EXPECT_EQ(a.arr_at_risk_high, b.arr_at_risk_high);
  EXPECT_EQ(a.arr_at_risk_medium, b.arr_at_risk_medium);
  EXPECT_EQ(a.usage_window_end, b.usage_window_end);
  EXPECT_EQ(a.support_window_end, b.support_window_end);
}

std::vector<const reports::ScoredCustomer*> PageOf(const ViewSet& views, const AtRiskQuery& query) {
  absl::StatusOr<AtRiskPage> page = QueryAtRisk(views, query);
  EXPECT_TRUE(page.ok()) << page.status();
  return page.ok() ? page->customers : std::vector<const reports::ScoredCustomer*>{};
}

// `actual` (updated) against `expected` (built afresh from the same rows).
void ExpectSameViews(const ViewSet& actual, const ViewSet& expected, Generator& gen) {
  ASSERT_EQ(actual.at_risk().size(), expected.at_risk().size());
  const size_t n = actual.at_risk().size();
  for (size_t i = 0; i < n; ++i) ExpectSameRow(actual.at_risk()[i], expected.at_risk()[i]);
  const AtRiskIndex& a = actual.at_risk_index();
  const AtRiskIndex& e = expected.at_risk_index();
  ASSERT_EQ(a.size(), e.size());
  for (AtRiskSort sort : kAllAtRiskSorts) {
    if (sort == AtRiskSort::kScoreChange30d) continue;
    for (bool descending : {false, true}) {
      EXPECT_EQ(a.Order(sort, descending), e.Order(sort, descending))
          << "sort " << static_cast<int>(sort) << " descending " << descending;
    }
  }
  for (uint32_t i = 0; i < n; ++i) {
    EXPECT_EQ(a.level(i), e.level(i));
    EXPECT_EQ(a.churned(i), e.churned(i));
    EXPECT_EQ(a.arr(i), e.arr(i));
    EXPECT_EQ(a.tier(i), e.tier(i));
  }
  EXPECT_EQ(a.min_arr(), e.min_arr());
  EXPECT_EQ(a.tier_count(), e.tier_count());
  for (const char* tier : {"pro", "PRO", "Basic", "enterprise", "", "Starter", "Gold"}) {
    EXPECT_EQ(a.TierId(tier), e.TierId(tier)) << tier;
  }
  ExpectSameExecutive(actual.executive(), expected.executive());
  ExpectSameDrivers(actual.drivers(), expected.drivers());
  for (SegmentKind kind : kAllSegmentKinds) {
    ExpectSameSegments(actual.segments(kind), expected.segments(kind));
  }
  // And the figures as the summaries compute them from a plain list of the rows.
  std::vector<reports::ScoredCustomer> copies(expected.at_risk().begin(), expected.at_risk().end());
  ExpectSameExecutive(actual.executive(),
                      reports::SummarizeExecutive(copies, expected.usage_window_end(),
                                                  expected.support_window_end()));
  for (SegmentKind kind : kAllSegmentKinds) {
    ExpectSameSegments(actual.segments(kind), SummarizeSegments(copies, kind));
  }
  const reports::DriversSummary drivers = reports::SummarizeDrivers(copies, {});
  EXPECT_FALSE(drivers.drivers.empty());
  ASSERT_EQ(actual.drivers().drivers.size(), drivers.drivers.size());
  for (size_t i = 0; i < drivers.drivers.size(); ++i) {
    EXPECT_EQ(actual.drivers().drivers[i].rule, drivers.drivers[i].rule);
    EXPECT_EQ(actual.drivers().drivers[i].customers, drivers.drivers[i].customers);
  }
  EXPECT_EQ(actual.snapshot_version(), expected.snapshot_version());
  EXPECT_EQ(actual.rules_sha256(), expected.rules_sha256());
  // Every id (and an unknown one) found at the same row.
  for (size_t i = 0; i < n; ++i) {
    const std::string& id = expected.at_risk()[i].signals.customer_id;
    const reports::ScoredCustomer* found = actual.FindCustomer(id);
    ASSERT_NE(found, nullptr) << id;
    EXPECT_EQ(actual.FindPosition(id), expected.FindPosition(id)) << id;
    ExpectSameRow(*found, *expected.FindCustomer(id));
  }
  EXPECT_EQ(actual.FindCustomer("nobody"), nullptr);
  // Random filtered, sorted pages.
  for (int q = 0; q < 6; ++q) {
    AtRiskQuery query;
    if (gen.Pick(2)) query.plan_tiers = {gen.Pick(2) ? "pro" : "Basic"};
    if (gen.Pick(2)) query.risk_levels = {static_cast<scoring::RiskLevel>(gen.Pick(3))};
    if (gen.Pick(3) == 0) query.min_arr = 1000.0 * gen.Pick(30);
    query.only_churned = gen.Pick(4) == 0;
    query.sort = kAllAtRiskSorts[gen.Pick(7)];
    if (gen.Pick(2)) query.descending = gen.Pick(2) == 0;
    query.offset = static_cast<size_t>(gen.Pick(20));
    query.limit = static_cast<size_t>(gen.Pick(50));
    std::vector<const reports::ScoredCustomer*> got = PageOf(actual, query);
    std::vector<const reports::ScoredCustomer*> want = PageOf(expected, query);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) ExpectSameRow(*got[i], *want[i]);
  }
}

TEST(ViewSetUpdate, EqualsAFullBuildThroughRandomDeltas) {
  Generator gen(20261206);
  int next_id = 0;
  auto new_id = [&] { return "C-" + std::to_string(next_id++); };
  std::vector<reports::ScoredCustomer> first;
  for (int i = 0; i < 1500; ++i) first.push_back(gen.Customer(new_id()));
  std::shared_ptr<const ViewSet> views = ViewSet::Build(InputsWith(first, 0));
  int incremental = 0, afresh = 0;
  std::vector<reports::ScoredCustomer> gone;  // removed rows, some of which come back later
  for (int step = 1; step <= 260; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    const size_t n = views->at_risk().size();
    // Mostly small deltas (up to ~3%), now and then a large one or a repeated id.
    const int kind = gen.Pick(20);
    const size_t changes =
        kind == 0 ? n / 4 : static_cast<size_t>(gen.Pick(static_cast<int>(n / 33) + 1));
    std::vector<uint8_t> touched(n, 0);
    std::vector<reports::ScoredCustomer> added;
    std::vector<std::string> removed_ids;
    for (size_t c = 0; c < changes; ++c) {
      const uint32_t at = static_cast<uint32_t>(gen.Pick(static_cast<int>(n)));
      if (touched[at]) continue;
      touched[at] = 1;
      const reports::ScoredCustomer& row = views->at_risk()[at];
      switch (gen.Pick(6)) {
        case 0:  // removed
        case 1:
          removed_ids.push_back(row.signals.customer_id);
          gone.push_back(row);
          break;
        case 2: {  // renamed: the same customer under a new id
          removed_ids.push_back(row.signals.customer_id);
          gone.push_back(row);
          reports::ScoredCustomer renamed = row;
          renamed.signals.customer_id = renamed.assessment.customer_id = new_id();
          added.push_back(std::move(renamed));
          break;
        }
        default: added.push_back(gen.Changed(row));
      }
    }
    for (int a = gen.Pick(4); a > 0; --a) added.push_back(gen.Customer(new_id()));
    // Removed ids come back (changed or not), this step's too.
    for (int a = gen.Pick(3); a > 0 && !gone.empty(); --a) {
      const size_t back = static_cast<size_t>(gen.Pick(static_cast<int>(gone.size())));
      added.push_back(gen.Pick(2) ? gone[back] : gen.Changed(gone[back]));
      removed_ids.erase(
          std::remove(removed_ids.begin(), removed_ids.end(), gone[back].signals.customer_id),
          removed_ids.end());
      gone.erase(gone.begin() + static_cast<std::ptrdiff_t>(back));
    }
    if (kind == 1 && n > 0) {
      // A customer id again (the other row kept): only a fresh sort can order it.
      uint32_t at = static_cast<uint32_t>(gen.Pick(static_cast<int>(n)));
      while (touched[at]) at = (at + 1) % static_cast<uint32_t>(n);
      added.push_back(gen.Customer(views->at_risk()[at].signals.customer_id));
    }
    std::vector<uint32_t> kept;
    for (uint32_t i = 0; i < n; ++i) {
      if (!touched[i]) kept.push_back(i);
    }
    if (kind == 2) std::shuffle(kept.begin(), kept.end(), gen.rng());  // a full stream's order
    std::vector<reports::ScoredCustomer> all;
    for (uint32_t position : kept) all.push_back(views->at_risk()[position]);
    all.insert(all.end(), added.begin(), added.end());
    std::shared_ptr<const ViewSet> expected = ViewSet::Build(InputsWith(all, step));
    std::shared_ptr<const ViewSet> updated =
        ViewSet::Update(*views, kept, InputsWith(std::move(added), step));
    ExpectSameViews(*updated, *expected, gen);
    if (::testing::Test::HasFatalFailure()) return;
    for (const std::string& id : removed_ids) {
      EXPECT_EQ(updated->FindCustomer(id), nullptr) << id;
      EXPECT_EQ(updated->FindPosition(id), std::nullopt) << id;
    }
    (updated->built_incrementally() ? incremental : afresh)++;
    // Repeated ids and large deltas are sorted afresh.
    if (kind == 0 || kind == 1) {
      EXPECT_FALSE(updated->built_incrementally());
    }
    // Views with a repeated id only ever sort afresh: the chain goes on from the views before.
    if (kind != 1) {
      views = updated;
    } else {
      // Those rows stay in the views before.
      for (const std::string& id : removed_ids) {
        gone.erase(std::remove_if(gone.begin(), gone.end(),
                                  [&](const reports::ScoredCustomer& row) {
                                    return row.signals.customer_id == id;
                                  }),
                   gone.end());
      }
    }
  }
  // Both ways were taken, mostly the incremental one.
  EXPECT_GT(incremental, 150);
  EXPECT_GT(afresh, 10);
}

// The customer index through a long chain of single changes on few rows: ids leaving, coming back
// and new ones, so its added slots outgrow their table and the unused ones force fresh tables,
// many times over. Every id, present or gone, is looked up after each step.
TEST(ViewSetUpdate, FindsCustomersThroughALongChainOfSingleChanges) {
  Generator gen(11);
  std::vector<reports::ScoredCustomer> first;
  for (int i = 0; i < 40; ++i) first.push_back(gen.Customer("C-" + std::to_string(i)));
  std::shared_ptr<const ViewSet> views = ViewSet::Build(InputsWith(first, 0));
  std::vector<reports::ScoredCustomer> gone;
  int next_id = 40, incremental = 0;
  for (int step = 1; step <= 4000; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    const size_t n = views->at_risk().size();
    std::vector<uint32_t> kept;
    std::vector<reports::ScoredCustomer> added;
    const uint32_t at = static_cast<uint32_t>(gen.Pick(static_cast<int>(n)));
    const int kind = gen.Pick(4);
    for (uint32_t i = 0; i < n; ++i) {
      if (i != at || kind == 3) kept.push_back(i);
    }
    if (kind == 0) {
      gone.push_back(views->at_risk()[at]);  // removed
    } else if (kind == 1) {
      added.push_back(gen.Changed(views->at_risk()[at]));  // replaced
    } else if (kind == 2) {
      gone.push_back(views->at_risk()[at]);  // renamed
      added.push_back(views->at_risk()[at]);
      added.back().signals.customer_id = added.back().assessment.customer_id =
          "C-" + std::to_string(next_id++);
    }
    if (gen.Pick(2) && !gone.empty() && kind != 0 && kind != 2) {
      const size_t back = static_cast<size_t>(gen.Pick(static_cast<int>(gone.size())));
      added.push_back(gone[back]);  // back again
      gone.erase(gone.begin() + static_cast<std::ptrdiff_t>(back));
    } else if (kind == 3 || n < 30) {
      added.push_back(gen.Customer("C-" + std::to_string(next_id++)));
    }
    std::vector<reports::ScoredCustomer> all;
    for (uint32_t position : kept) all.push_back(views->at_risk()[position]);
    all.insert(all.end(), added.begin(), added.end());
    std::shared_ptr<const ViewSet> expected = ViewSet::Build(InputsWith(all, step));
    views = ViewSet::Update(*views, kept, InputsWith(std::move(added), step));
    incremental += views->built_incrementally();
    ASSERT_EQ(views->at_risk().size(), expected->at_risk().size());
    for (size_t i = 0; i < views->at_risk().size(); ++i) {
      ASSERT_EQ(views->at_risk()[i].signals.customer_id, expected->at_risk()[i].signals.customer_id)
          << i << " kind " << kind;
    }
    for (const reports::ScoredCustomer& row : expected->at_risk()) {
      const std::string& id = row.signals.customer_id;
      ASSERT_EQ(views->FindPosition(id), expected->FindPosition(id)) << id;
      ASSERT_NE(views->FindCustomer(id), nullptr) << id;
      ASSERT_EQ(views->FindCustomer(id)->signals, row.signals) << id;
    }
    for (const reports::ScoredCustomer& row : gone) {
      ASSERT_EQ(views->FindCustomer(row.signals.customer_id), nullptr) << row.signals.customer_id;
    }
    ASSERT_EQ(views->FindCustomer("nobody"), nullptr);
    ASSERT_TRUE(views->unique_ids());
  }
  EXPECT_GT(incremental, 3000);
  // The index's memory stays within a bound of the rows, however many slots were given.
  EXPECT_LT(views->customer_index_bytes(), 40000);
}

// Enough rows for the orders to be merged on two threads.
TEST(ViewSetUpdate, EqualsAFullBuildForManyRows) {
  Generator gen(5);
  std::vector<reports::ScoredCustomer> first;
  for (int i = 0; i < 40000; ++i) first.push_back(gen.Customer("C-" + std::to_string(i)));
  std::shared_ptr<const ViewSet> views = ViewSet::Build(InputsWith(first, 0));
  int next_id = 40000;
  for (int step = 1; step <= 3; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    const size_t n = views->at_risk().size();
    std::vector<uint8_t> touched(n, 0);
    std::vector<reports::ScoredCustomer> added;
    for (int c = 0; c < 30; ++c) {
      const uint32_t at = static_cast<uint32_t>(gen.Pick(static_cast<int>(n)));
      if (touched[at]) continue;
      touched[at] = 1;
      if (gen.Pick(2)) added.push_back(gen.Changed(views->at_risk()[at]));
    }
    for (int a = 0; a < 5; ++a) added.push_back(gen.Customer("C-" + std::to_string(next_id++)));
    std::vector<uint32_t> kept;
    std::vector<reports::ScoredCustomer> all;
    for (uint32_t i = 0; i < n; ++i) {
      if (touched[i]) continue;
      kept.push_back(i);
      all.push_back(views->at_risk()[i]);
    }
    all.insert(all.end(), added.begin(), added.end());
    std::shared_ptr<const ViewSet> expected = ViewSet::Build(InputsWith(all, step));
    views = ViewSet::Update(*views, kept, InputsWith(std::move(added), step));
    ASSERT_TRUE(views->built_incrementally());
    ExpectSameViews(*views, *expected, gen);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// A refresh of unchanged data (every row kept, none added) shares the previous index, and
// equals a full build; one row changed gets an index of its own.
TEST(ViewSetUpdate, NothingChangedSharesTheIndex) {
  Generator gen(9);
  std::vector<reports::ScoredCustomer> first;
  for (int i = 0; i < 300; ++i) first.push_back(gen.Customer("C-" + std::to_string(i)));
  std::shared_ptr<const ViewSet> views = ViewSet::Build(InputsWith(first, 0));
  std::vector<uint32_t> all(views->at_risk().size());
  std::iota(all.begin(), all.end(), 0u);
  std::shared_ptr<const ViewSet> same = ViewSet::Update(*views, all, InputsWith({}, 1));
  ASSERT_TRUE(same->built_incrementally());
  EXPECT_EQ(&same->at_risk_index(), &views->at_risk_index());
  ExpectSameViews(*same, *ViewSet::Build(InputsWith(first, 1)), gen);
  std::vector<uint32_t> most(all.begin() + 1, all.end());
  std::shared_ptr<const ViewSet> changed =
      ViewSet::Update(*same, most, InputsWith({gen.Changed(same->at_risk()[0])}, 2));
  ASSERT_TRUE(changed->built_incrementally());
  EXPECT_NE(&changed->at_risk_index(), &same->at_risk_index());
}

TEST(ViewSetUpdate, SharesTheKeptRowsAndCompactsUnusedOnes) {
  Generator gen(7);
  std::vector<reports::ScoredCustomer> first;
  for (int i = 0; i < 200; ++i) first.push_back(gen.Customer("C-" + std::to_string(i)));
  std::shared_ptr<const ViewSet> views = ViewSet::Build(InputsWith(first, 0));
  const int64_t first_bytes = views->row_storage_bytes();
  std::shared_ptr<const ViewSet> before = views;
  // One customer changed: the other 199 rows are the previous views' own.
  std::vector<uint32_t> kept(199);
  std::iota(kept.begin(), kept.end(), 1u);
  std::shared_ptr<const ViewSet> after =
      ViewSet::Update(*views, kept, InputsWith({gen.Changed(views->at_risk()[0])}, 1));
  EXPECT_TRUE(after->built_incrementally());
  size_t shared = 0;
  for (const reports::ScoredCustomer& row : after->at_risk()) {
    const reports::ScoredCustomer* old = before->FindCustomer(row.signals.customer_id);
    if (old == &row) ++shared;
  }
  EXPECT_EQ(shared, 199u);
  // Changing every row, a few at a time, many times over: the unused rows are dropped now and
  // then, so the storage stays within a bound of the rows in use.
  for (int step = 2; step < 6000; ++step) {
    std::vector<uint32_t> most(after->at_risk().size() - 1);
    const uint32_t changed = static_cast<uint32_t>(gen.Pick(static_cast<int>(most.size() + 1)));
    for (uint32_t i = 0, j = 0; i < after->at_risk().size(); ++i) {
      if (i != changed) most[j++] = i;
    }
    after =
        ViewSet::Update(*after, most, InputsWith({gen.Changed(after->at_risk()[changed])}, step));
  }
  EXPECT_EQ(after->at_risk().size(), 200u);
  EXPECT_LT(after->row_storage_bytes(),
            first_bytes + 4200 * static_cast<int64_t>(sizeof(reports::ScoredCustomer)));
}

}  // namespace
}  // namespace churn::viewsets
