// The streaming usage aggregation: exact totals with bounded memory, in any row order.

#include "signals/usage_windows.h"

#include <algorithm>
#include <memory>
#include <random>

#include "gtest/gtest.h"

namespace churn {
namespace {

struct Row {
  int32_t subscription;
  dataset::Day day;
  int64_t usage;
  int64_t errors;
};

std::vector<UsageTotals> BruteForce(const std::vector<Row>& rows, dataset::Day end, size_t n) {
  std::vector<UsageTotals> totals(n);
  for (const Row& row : rows) {
    if (row.day >= end - 30 && row.day <= end) {
      totals[row.subscription].usage_30d += row.usage;
      totals[row.subscription].errors_30d += row.errors;
    } else if (row.day >= end - 60 && row.day < end - 30) {
      totals[row.subscription].usage_prev30d += row.usage;
    }
  }
  return totals;
}

void ExpectSameTotals(const std::vector<UsageTotals>& a, const std::vector<UsageTotals>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].usage_30d, b[i].usage_30d) << i;
    EXPECT_EQ(a[i].usage_prev30d, b[i].usage_prev30d) << i;
    EXPECT_EQ(a[i].errors_30d, b[i].errors_30d) << i;
  }
}

TEST(UsageWindows, MemoryStaysBoundedBySubscriptionsTimesWindowDays) {
  constexpr int kSubscriptions = 2000;
  constexpr int kDays = 400;
  std::vector<Row> rows;
  std::mt19937 random(1);
  for (int day = 0; day < kDays; ++day) {
    for (int s = 0; s < kSubscriptions; ++s) {
      rows.push_back({s, 20000 + day, static_cast<int64_t>(random() % 50),
                      static_cast<int64_t>(random() % 3)});
    }
  }
  UsageWindows windows;
  size_t peak = 0;
  for (const Row& row : rows) {
    windows.Add({row.subscription, row.day, row.usage, row.errors});
    peak = std::max(peak, windows.retained_entries());
  }
  // 800,000 rows stream through; one ring of day cells per subscription is held.
  EXPECT_LE(peak, 2u * kSubscriptions * 61 + (1u << 17));
  EXPECT_LT(peak, rows.size() / 2);
  const dataset::Day end = 20000 + kDays - 1;
  ExpectSameTotals(windows.Totals(end, kSubscriptions), BruteForce(rows, end, kSubscriptions));
}

TEST(UsageWindows, UnorderedRowsGiveTheSameTotals) {
  std::vector<Row> rows;
  std::mt19937 random(2);
  for (int i = 0; i < 200000; ++i) {
    rows.push_back({static_cast<int32_t>(random() % 300), static_cast<dataset::Day>(19000 + random() % 500),
                    static_cast<int64_t>(random() % 20), static_cast<int64_t>(random() % 2)});
  }
  UsageWindows windows;
  dataset::Day end = 0;
  for (const Row& row : rows) {
    windows.Add({row.subscription, row.day, row.usage, row.errors});
    end = std::max(end, row.day);
  }
  ExpectSameTotals(windows.Totals(end, 300), BruteForce(rows, end, 300));
}

// Rows split into parts (as threads loading one file do) and merged give the totals of one pass,
// whatever part saw which days of a subscription first.
TEST(UsageWindows, PartsMergedGiveTheSameTotals) {
  std::vector<Row> rows;
  std::mt19937 random(3);
  for (int i = 0; i < 200000; ++i) {
    rows.push_back({static_cast<int32_t>(random() % 300),
                    static_cast<dataset::Day>(19000 + random() % 200),
                    static_cast<int64_t>(random() % 20), static_cast<int64_t>(random() % 3)});
  }
  UsageWindows windows;
  std::vector<std::unique_ptr<dataset::UsageSink>> parts;
  for (int p = 0; p < 3; ++p) parts.push_back(windows.NewPart());
  dataset::Day end = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    // Contiguous thirds, like byte ranges of a file.
    parts[i * 3 / rows.size()]->Add({row.subscription, row.day, row.usage, row.errors});
    end = std::max(end, row.day);
  }
  for (auto& part : parts) windows.MergePart(*part);
  ExpectSameTotals(windows.Totals(end, 300), BruteForce(rows, end, 300));
}

// Rows grouped by subscription, as files usually are: most subscriptions are in one part only
// (their rings, several blocks of them, are taken over), a few straddle two parts.
TEST(UsageWindows, PartsOfGroupedRowsMergedGiveTheSameTotals) {
  constexpr int kSubscriptions = 5000;
  std::vector<Row> rows;
  std::mt19937 random(5);
  for (int subscription = 0; subscription < kSubscriptions; ++subscription) {
    for (int k = 0; k < 20; ++k) {
      rows.push_back({subscription, static_cast<dataset::Day>(19000 + random() % 90),
                      static_cast<int64_t>(random() % 20), static_cast<int64_t>(random() % 3)});
    }
  }
  for (int part_count : {1, 2, 3}) {
    UsageWindows windows;
    std::vector<std::unique_ptr<dataset::UsageSink>> parts;
    for (int p = 0; p < part_count; ++p) parts.push_back(windows.NewPart());
    dataset::Day end = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& row = rows[i];
      parts[i * part_count / rows.size()]->Add({row.subscription, row.day, row.usage, row.errors});
      end = std::max(end, row.day);
    }
    // Rows added after the merge land in the rings taken over, and in new ones.
    for (auto& part : parts) windows.MergePart(*part);
    std::vector<Row> all = rows;
    for (int32_t subscription : {0, 4999, 2500, kSubscriptions}) {
      const Row extra{subscription, end, 7, 1};
      windows.Add({extra.subscription, extra.day, extra.usage, extra.errors});
      all.push_back(extra);
    }
    ExpectSameTotals(windows.Totals(end, kSubscriptions + 1),
                     BruteForce(all, end, kSubscriptions + 1));
    EXPECT_EQ(windows.retained_entries(),
              (kSubscriptions + 1) * UsageWindows::kCellsPerSubscription);
  }
}

// Amounts past a 32-bit day cell are kept exactly (one row or a sum of rows).
TEST(UsageWindows, AmountsPastThirtyTwoBitsAreExact) {
  const std::vector<Row> rows = {{0, 1000, int64_t{5'000'000'000}, 3},
                                 {0, 1000, 4'000'000'000, 4'000'000'000},
                                 {0, 1000, 4'000'000'000, 1},
                                 {1, 960, 3'000'000'000, 0},
                                 {1, 961, 3'000'000'000, 0}};
  UsageWindows windows;
  std::unique_ptr<dataset::UsageSink> part = windows.NewPart();
  for (size_t i = 0; i < rows.size(); ++i) {
    dataset::UsageSink& sink = i % 2 == 0 ? static_cast<dataset::UsageSink&>(windows) : *part;
    sink.Add({rows[i].subscription, rows[i].day, rows[i].usage, rows[i].errors});
  }
  windows.MergePart(*part);
  ExpectSameTotals(windows.Totals(1000, 2), BruteForce(rows, 1000, 2));
}

TEST(UsageWindows, FixedEndDropsRowsOutsideTheWindowsOnArrival) {
  UsageWindows windows(/*fixed_end=*/1000);
  windows.Add({0, 1001, 5, 5});  // after the as-of date
  windows.Add({0, 939, 5, 5});   // before E-60d
  windows.Add({0, 940, 7, 1});   // E-60d: prior
  windows.Add({0, 970, 3, 2});   // E-30d: last
  EXPECT_EQ(windows.retained_entries(), UsageWindows::kCellsPerSubscription);  // one ring
  const std::vector<UsageTotals> totals = windows.Totals(1000, 1);
  EXPECT_EQ(totals[0].usage_prev30d, 7);
  EXPECT_EQ(totals[0].usage_30d, 3);
  EXPECT_EQ(totals[0].errors_30d, 2);
}

}  // namespace
}  // namespace churn
