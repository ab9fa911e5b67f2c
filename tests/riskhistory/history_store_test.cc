#include "riskhistory/history_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <tuple>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/scratch_dir.h"

namespace churn::riskhistory {
namespace {

using scoring::RiskLevel;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::filesystem::path& TestRoot() { return churn::testing::ProgramScratch().path(); }

std::string FreshPath(const std::string& name) {
  std::filesystem::path dir = TestRoot() / name;
  std::filesystem::remove_all(dir);
  return (dir / "nested" / "history.sqlite").string();
}

std::unique_ptr<RiskHistoryStore> OpenOrDie(const std::string& path, int64_t retention = 0) {
  absl::StatusOr<std::unique_ptr<RiskHistoryStore>> store =
      RiskHistoryStore::Open(path, HistoryStoreOptions{retention});
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

HistoryEntry Entry(std::string id, int score, RiskLevel level,
                   std::vector<std::string> rules = {}) {
  return HistoryEntry{std::move(id), score, level, std::move(rules)};
}

int64_t CountRows(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  int64_t value = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

TEST(RiskHistoryStoreTest, TrendReadsBackWhatWasWrittenAcrossReopen) {
  const std::string path = FreshPath("trend");
  {
    auto store = OpenOrDie(path);
    ASSERT_TRUE(store
                    ->WriteSnapshot(100, {Entry("s1", 10, RiskLevel::kLow, {"support_load"}),
                                          Entry("s2", 70, RiskLevel::kHigh,
                                                {"usage_drop", "support_load", "churn_intent"})})
                    .ok());
    ASSERT_TRUE(
        store->WriteSnapshot(107, {Entry("s1", 44, RiskLevel::kMedium, {"usage_drop", "trial"})})
            .ok());
  }
  auto store = OpenOrDie(path);
  absl::StatusOr<std::vector<TrendPoint>> trend = store->Trend("s1");
  ASSERT_TRUE(trend.ok()) << trend.status();
  ASSERT_EQ(trend->size(), 2u);
  EXPECT_EQ((*trend)[0].date, 100);
  EXPECT_EQ((*trend)[0].score, 10);
  EXPECT_EQ((*trend)[0].level, RiskLevel::kLow);
  EXPECT_THAT((*trend)[0].fired_rules, ElementsAre("support_load"));
  EXPECT_EQ((*trend)[1].date, 107);
  EXPECT_EQ((*trend)[1].level, RiskLevel::kMedium);
  EXPECT_THAT((*trend)[1].fired_rules, ElementsAre("usage_drop", "trial"));
  EXPECT_THAT(store->Trend("s2")->at(0).fired_rules,
              ElementsAre("usage_drop", "support_load", "churn_intent"));
  EXPECT_THAT(*store->Trend("unknown"), IsEmpty());
  EXPECT_THAT(*store->SnapshotDates(), ElementsAre(100, 107));
}

TEST(RiskHistoryStoreTest, EncodingIsCompact) {
  const std::string path = FreshPath("compact");
  auto store = OpenOrDie(path);
  std::vector<HistoryEntry> entries;
  for (int i = 0; i < 50; ++i) {
    entries.push_back(Entry("customer-" + std::to_string(i), i, RiskLevel::kMedium,
                            {"usage_drop", "support_load", "error_volume"}));
  }
  ASSERT_TRUE(store->WriteSnapshot(200, entries).ok());
  ASSERT_TRUE(store->WriteSnapshot(207, entries).ok());
  // Each text is stored once, however many rows use it.
  EXPECT_EQ(CountRows(path, "SELECT COUNT(*) FROM rules"), 3);
  EXPECT_EQ(CountRows(path, "SELECT COUNT(*) FROM customers"), 50);
  EXPECT_EQ(CountRows(path, "SELECT COUNT(*) FROM assessments"), 100);
  // Three fired rules take three bytes in a row, and no row holds text.
  EXPECT_EQ(CountRows(path, "SELECT MAX(length(rules)) FROM assessments"), 3);
  EXPECT_EQ(CountRows(path,
                      "SELECT typeof(day) = 'integer' AND typeof(customer) = 'integer' "
                      "AND typeof(rules) = 'blob' FROM assessments LIMIT 1"),
            1);
}

TEST(RiskHistoryStoreTest, RewritingADateReplacesItsRows) {
  auto store = OpenOrDie(FreshPath("rewrite"));
  ASSERT_TRUE(
      store->WriteSnapshot(100, {Entry("a", 10, RiskLevel::kLow), Entry("b", 20, RiskLevel::kLow)})
          .ok());
  ASSERT_TRUE(store->WriteSnapshot(100, {Entry("a", 65, RiskLevel::kHigh)}).ok());
  EXPECT_EQ(store->Trend("a")->size(), 1u);
  EXPECT_EQ(store->Trend("a")->at(0).score, 65);
  EXPECT_THAT(*store->Trend("b"), IsEmpty());
}

TEST(RiskHistoryStoreTest, RefusesEmptyOrRepeatedCustomers) {
  auto store = OpenOrDie(FreshPath("invalid"));
  EXPECT_EQ(store->WriteSnapshot(1, {Entry("", 1, RiskLevel::kLow)}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      store->WriteSnapshot(1, {Entry("a", 1, RiskLevel::kLow), Entry("a", 2, RiskLevel::kLow)})
          .code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(*store->SnapshotDates(), IsEmpty());
}

// Pulls `entries` `per_chunk` at a time (the chunked write's source).
RiskHistoryStore::EntrySource Chunks(std::vector<HistoryEntry> entries, size_t per_chunk) {
  auto all = std::make_shared<std::vector<HistoryEntry>>(std::move(entries));
  auto next = std::make_shared<size_t>(0);
  return [all, next, per_chunk](std::vector<HistoryEntry>* chunk) {
    for (; *next < all->size() && chunk->size() < per_chunk; ++*next) {
      chunk->push_back((*all)[*next]);
    }
    return absl::OkStatus();
  };
}

TEST(RiskHistoryStoreTest, ChunkedWriteStoresWhatOneWriteWould) {
  auto store = OpenOrDie(FreshPath("chunked"));
  std::vector<HistoryEntry> entries;
  for (int i = 0; i < 25; ++i) {
    entries.push_back(Entry("c" + std::to_string(i), i, i % 2 ? RiskLevel::kHigh : RiskLevel::kLow,
                            {i % 3 ? "usage_drop" : "tickets", "errors"}));
  }
  ASSERT_TRUE(store->WriteSnapshotFrom(100, Chunks(entries, 4)).ok());
  auto reference = OpenOrDie(FreshPath("chunked_reference"));
  ASSERT_TRUE(reference->WriteSnapshot(100, entries).ok());
  for (const HistoryEntry& entry : entries) {
    absl::StatusOr<std::vector<TrendPoint>> got = store->Trend(entry.customer_id);
    absl::StatusOr<std::vector<TrendPoint>> want = reference->Trend(entry.customer_id);
    ASSERT_TRUE(got.ok() && want.ok());
    ASSERT_EQ(got->size(), 1u);
    ASSERT_EQ(want->size(), 1u);
    EXPECT_EQ(got->at(0).score, want->at(0).score);
    EXPECT_EQ(got->at(0).level, want->at(0).level);
    EXPECT_EQ(got->at(0).fired_rules, want->at(0).fired_rules);
    EXPECT_EQ(got->at(0).fired_rules, entry.fired_rules);
  }
}

TEST(RiskHistoryStoreTest, ChunkedWriteRefusesARepeatAcrossChunksAndKeepsTheOldRows) {
  auto store = OpenOrDie(FreshPath("chunked_repeat"));
  ASSERT_TRUE(store->WriteSnapshot(100, {Entry("old", 5, RiskLevel::kLow)}).ok());
  absl::Status repeated = store
                              ->WriteSnapshotFrom(100, Chunks({Entry("a", 1, RiskLevel::kLow),
                                                               Entry("b", 1, RiskLevel::kLow),
                                                               Entry("a", 2, RiskLevel::kLow)},
                                                              2))
                              .status();
  EXPECT_EQ(repeated.code(), absl::StatusCode::kInvalidArgument) << repeated;
  EXPECT_THAT(repeated.message(), ::testing::HasSubstr("'a' appears twice"));
  // Rolled back: the date still holds its old rows only.
  EXPECT_EQ(store->Trend("old")->size(), 1u);
  EXPECT_THAT(*store->Trend("a"), IsEmpty());
  // A failing source rolls back too, with its error.
  absl::Status failed =
      store
          ->WriteSnapshotFrom(100,
                              [](std::vector<HistoryEntry>* chunk) {
                                chunk->push_back(HistoryEntry{"x", 1, RiskLevel::kLow, {}});
                                return absl::CancelledError("stopped");
                              })
          .status();
  EXPECT_EQ(failed.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(store->Trend("old")->size(), 1u);
  EXPECT_THAT(*store->Trend("x"), IsEmpty());
}

// Every customer's trend, for comparing what two stores hold.
std::map<std::string, std::vector<std::tuple<int, int, int, std::vector<std::string>>>> Trends(
    RiskHistoryStore& store, const std::set<std::string>& customer_ids) {
  std::map<std::string, std::vector<std::tuple<int, int, int, std::vector<std::string>>>> trends;
  for (const std::string& id : customer_ids) {
    absl::StatusOr<std::vector<TrendPoint>> points = store.Trend(id);
    EXPECT_TRUE(points.ok()) << points.status();
    if (!points.ok()) continue;
    for (const TrendPoint& point : *points) {
      trends[id].emplace_back(point.date, point.score, static_cast<int>(point.level),
                              point.fired_rules);
    }
  }
  return trends;
}

TEST(RiskHistoryStoreTest, RewritingTheLastDateWritesOnlyTheRowsThatChanged) {
  const std::string path = FreshPath("differential");
  auto store = OpenOrDie(path);
  std::vector<HistoryEntry> entries;
  for (int i = 0; i < 50; ++i) {
    entries.push_back(Entry("c" + std::to_string(i), i, RiskLevel::kLow, {"usage_drop"}));
  }
  absl::StatusOr<WrittenRows> first = store->WriteSnapshotFrom(100, Chunks(entries, 7));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->whole_date);
  EXPECT_EQ(first->stored, 50);
  // The same rows again: nothing to write.
  absl::StatusOr<WrittenRows> same = store->WriteSnapshotFrom(100, Chunks(entries, 7));
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_FALSE(same->whole_date);
  EXPECT_EQ(same->stored, 0);
  EXPECT_EQ(same->removed, 0);
  // A score, a level and the fired rules change; one customer goes, one comes.
  entries[3].score = 90;
  entries[4].level = RiskLevel::kHigh;
  entries[5].fired_rules = {"tickets", "usage_drop"};
  entries.erase(entries.begin() + 10);
  entries.push_back(Entry("new", 70, RiskLevel::kHigh, {"trial"}));
  absl::StatusOr<WrittenRows> changed = store->WriteSnapshotFrom(100, Chunks(entries, 7));
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_FALSE(changed->whole_date);
  EXPECT_EQ(changed->stored, 4);
  EXPECT_EQ(changed->removed, 1);
  EXPECT_EQ(CountRows(path, "SELECT COUNT(*) FROM assessments WHERE day = 100"), 50);

  auto reference = OpenOrDie(FreshPath("differential_reference"));
  ASSERT_TRUE(reference->WriteSnapshot(100, entries).ok());
  std::set<std::string> ids = {"c10", "new"};
  for (const HistoryEntry& entry : entries) ids.insert(entry.customer_id);
  EXPECT_EQ(Trends(*store, ids), Trends(*reference, ids));
  EXPECT_THAT(*store->Trend("c10"), IsEmpty());
}

TEST(RiskHistoryStoreTest, RandomRewritesOfTheLastDateEqualWholeWrites) {
  const std::string path = FreshPath("differential_random");
  auto store = OpenOrDie(path);
  std::mt19937 random(7);
  const std::vector<std::string> rule_names = {"usage_drop", "tickets", "trial", "errors"};
  auto random_entry = [&](std::string id) {
    std::vector<std::string> rules;
    for (const std::string& rule : rule_names) {
      if (random() % 3 == 0) rules.push_back(rule);
    }
    return Entry(std::move(id), static_cast<int>(random() % 101),
                 static_cast<RiskLevel>(random() % 3), std::move(rules));
  };
  std::vector<HistoryEntry> entries;
  std::set<std::string> ids;
  for (int i = 0; i < 300; ++i) entries.push_back(random_entry("c" + std::to_string(i)));
  int next_id = 300;
  for (int round = 0; round < 12; ++round) {
    // Older dates now and then, as the backfill writes them between live writes.
    if (round % 4 == 1) {
      ASSERT_TRUE(store->WriteSnapshot(100 - 7 * round, {random_entry("c1")}).ok());
    }
    for (HistoryEntry& entry : entries) {
      if (random() % 10 == 0) entry = random_entry(entry.customer_id);
    }
    for (int k = 0; k < 5; ++k) {
      entries.erase(entries.begin() + static_cast<long>(random() % entries.size()));
      entries.push_back(random_entry("c" + std::to_string(next_id++)));
    }
    std::shuffle(entries.begin(), entries.end(), random);
    absl::StatusOr<WrittenRows> written = store->WriteSnapshotFrom(100, Chunks(entries, 64));
    ASSERT_TRUE(written.ok()) << written.status();
    EXPECT_EQ(written->whole_date, round == 0);
    for (const HistoryEntry& entry : entries) ids.insert(entry.customer_id);
    // The same rows written whole into a fresh file; the dates compared: 100.
    auto reference = OpenOrDie(FreshPath("differential_random_reference"));
    ASSERT_TRUE(reference->WriteSnapshot(100, entries).ok());
    auto latest_only = [](auto trends) {
      for (auto& [id, points] : trends) {
        std::erase_if(points, [](const auto& point) { return std::get<0>(point) != 100; });
      }
      std::erase_if(trends, [](const auto& trend) { return trend.second.empty(); });
      return trends;
    };
    ASSERT_EQ(latest_only(Trends(*store, ids)), latest_only(Trends(*reference, ids)))
        << "round " << round;
  }
}

TEST(RiskHistoryStoreTest, AnotherConnectionsWriteMakesTheNextRewriteWhole) {
  const std::string path = FreshPath("other_connection");
  auto store = OpenOrDie(path);
  ASSERT_TRUE(
      store->WriteSnapshot(100, {Entry("a", 10, RiskLevel::kLow), Entry("b", 20, RiskLevel::kLow)})
          .ok());
  auto other = OpenOrDie(path);
  ASSERT_TRUE(
      other->WriteSnapshot(100, {Entry("a", 10, RiskLevel::kLow), Entry("b", 99, RiskLevel::kHigh)})
          .ok());
  // Compared with its own last write, b would look unchanged and keep the other's 99.
  absl::StatusOr<WrittenRows> written = store->WriteSnapshotFrom(
      100, Chunks({Entry("a", 10, RiskLevel::kLow), Entry("b", 20, RiskLevel::kLow)}, 10));
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_TRUE(written->whole_date);
  EXPECT_EQ(store->Trend("b")->at(0).score, 20);
}

TEST(RiskHistoryStoreTest, AFailedWriteOrTheRetentionMakesTheNextRewriteWhole) {
  auto store = OpenOrDie(FreshPath("whole_again"), /*retention=*/14);
  ASSERT_TRUE(store->WriteSnapshot(100, {Entry("a", 10, RiskLevel::kLow)}).ok());
  absl::StatusOr<WrittenRows> failed = store->WriteSnapshotFrom(
      100, [](std::vector<HistoryEntry>*) { return absl::CancelledError("stopped"); });
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kCancelled);
  absl::StatusOr<WrittenRows> after_failure =
      store->WriteSnapshotFrom(100, Chunks({Entry("a", 10, RiskLevel::kLow)}, 10));
  ASSERT_TRUE(after_failure.ok());
  EXPECT_TRUE(after_failure->whole_date);
  // A newer date prunes day 100: its rows are gone, so are the fingerprints.
  ASSERT_TRUE(store->WriteSnapshot(120, {Entry("a", 11, RiskLevel::kLow)}).ok());
  absl::StatusOr<WrittenRows> after_prune =
      store->WriteSnapshotFrom(120, Chunks({Entry("a", 11, RiskLevel::kLow)}, 10));
  ASSERT_TRUE(after_prune.ok());
  EXPECT_TRUE(after_prune->whole_date);
  absl::StatusOr<WrittenRows> then_compared =
      store->WriteSnapshotFrom(120, Chunks({Entry("a", 11, RiskLevel::kLow)}, 10));
  ASSERT_TRUE(then_compared.ok());
  EXPECT_FALSE(then_compared->whole_date);
  EXPECT_EQ(then_compared->stored, 0);
}

TEST(RiskHistoryStoreTest, RetentionCountsBackFromTheNewestSnapshot) {
  const std::string path = FreshPath("retention");
  auto store = OpenOrDie(path, /*retention=*/14);
  // Days long before "now": retention is about snapshot dates, not the clock.
  ASSERT_TRUE(store->WriteSnapshot(1000, {Entry("old", 5, RiskLevel::kLow)}).ok());
  ASSERT_TRUE(store->WriteSnapshot(1007, {Entry("a", 6, RiskLevel::kLow)}).ok());
  EXPECT_THAT(*store->SnapshotDates(), ElementsAre(1000, 1007));
  ASSERT_TRUE(store->WriteSnapshot(1014, {Entry("a", 7, RiskLevel::kLow)}).ok());
  EXPECT_THAT(*store->SnapshotDates(), ElementsAre(1000, 1007, 1014));  // exactly 14 days kept
  ASSERT_TRUE(store->WriteSnapshot(1021, {Entry("a", 8, RiskLevel::kLow)}).ok());
  EXPECT_THAT(*store->SnapshotDates(), ElementsAre(1007, 1014, 1021));
  EXPECT_THAT(*store->Trend("old"), IsEmpty());
  EXPECT_EQ(CountRows(path, "SELECT COUNT(*) FROM customers WHERE customer_id = 'old'"), 0);
  // Backfilling an older date than retention allows stores nothing lasting.
  ASSERT_TRUE(store->WriteSnapshot(990, {Entry("a", 1, RiskLevel::kLow)}).ok());
  EXPECT_THAT(*store->SnapshotDates(), ElementsAre(1007, 1014, 1021));
}

TEST(RiskHistoryStoreTest, ZeroRetentionKeepsEverything) {
  auto store = OpenOrDie(FreshPath("keep_all"), /*retention=*/0);
  ASSERT_TRUE(store->WriteSnapshot(1, {Entry("a", 1, RiskLevel::kLow)}).ok());
  ASSERT_TRUE(store->WriteSnapshot(5000, {Entry("a", 2, RiskLevel::kLow)}).ok());
  EXPECT_THAT(*store->SnapshotDates(), ElementsAre(1, 5000));
  EXPECT_FALSE(RiskHistoryStore::Open(FreshPath("negative"), HistoryStoreOptions{-1}).ok());
}

TEST(RiskHistoryStoreTest, MovementsOfAnEmptyHistory) {
  auto store = OpenOrDie(FreshPath("empty"));
  absl::StatusOr<RiskMovements> movements = store->Movements();
  ASSERT_TRUE(movements.ok()) << movements.status();
  EXPECT_FALSE(movements->latest.has_value());
  EXPECT_TRUE(movements->by_customer.empty());
}

TEST(RiskHistoryStoreTest, MovementsCompareLatestWithPreviousAndThirtyDaysBack) {
  auto store = OpenOrDie(FreshPath("movements"));
  // 60 and 40 days back are outside the 30-day window; 28 days back is its baseline.
  ASSERT_TRUE(store->WriteSnapshot(40, {Entry("rising", 0, RiskLevel::kLow)}).ok());
  ASSERT_TRUE(store
                  ->WriteSnapshot(72, {Entry("rising", 10, RiskLevel::kLow),
                                       Entry("falling", 80, RiskLevel::kHigh),
                                       Entry("steady_high", 70, RiskLevel::kHigh),
                                       Entry("jumped", 20, RiskLevel::kLow)})
                  .ok());
  ASSERT_TRUE(store
                  ->WriteSnapshot(93, {Entry("rising", 40, RiskLevel::kMedium),
                                       Entry("falling", 50, RiskLevel::kMedium),
                                       Entry("steady_high", 75, RiskLevel::kHigh),
                                       Entry("jumped", 25, RiskLevel::kLow)})
                  .ok());
  ASSERT_TRUE(
      store
          ->WriteSnapshot(
              100, {Entry("rising", 65, RiskLevel::kHigh), Entry("falling", 20, RiskLevel::kLow),
                    Entry("steady_high", 72, RiskLevel::kHigh),
                    Entry("jumped", 90, RiskLevel::kHigh), Entry("new_high", 61, RiskLevel::kHigh)})
          .ok());
  absl::StatusOr<RiskMovements> movements = store->Movements();
  ASSERT_TRUE(movements.ok()) << movements.status();
  EXPECT_EQ(movements->latest, 100);
  EXPECT_EQ(movements->previous, 93);
  EXPECT_EQ(movements->baseline_30d, 72);
  ASSERT_EQ(movements->by_customer.size(), 5u);
  EXPECT_EQ(movements->Find("rising")->score_change_30d, 55);
  EXPECT_EQ(movements->Find("falling")->score_change_30d, -60);
  EXPECT_EQ(movements->Find("jumped")->score_change_30d, 70);
  EXPECT_FALSE(movements->Find("new_high")->score_change_30d.has_value());
  EXPECT_TRUE(movements->Find("rising")->entered_high);
  EXPECT_TRUE(movements->Find("jumped")->entered_high);
  EXPECT_TRUE(movements->Find("new_high")->entered_high);  // not a customer before
  EXPECT_FALSE(movements->Find("steady_high")->entered_high);
  EXPECT_FALSE(movements->Find("falling")->entered_high);
  EXPECT_EQ(movements->Find("gone"), nullptr);
  // 93 -> 100: rising Medium->High, jumped Low->High up; falling Medium->Low down.
  EXPECT_EQ(movements->moved_up, 2);
  EXPECT_EQ(movements->moved_down, 1);
}

// Movements over random populations (customers come and go, ids interned in another order than
// they sort), against the definition computed from the written entries.
TEST(RiskHistoryStoreTest, MovementsOfRandomHistoriesFollowTheirDefinition) {
  std::mt19937 random(21);
  for (int trial = 0; trial < 5; ++trial) {
    auto store = OpenOrDie(FreshPath("movements_random"));
    const std::vector<dataset::Day> days = {50, 64, 71, 78, 85, 92};
    std::map<dataset::Day, std::map<std::string, HistoryEntry>> written;
    for (dataset::Day day : days) {
      std::vector<HistoryEntry> entries;
      for (int c = 0; c < 150; ++c) {
        if (random() % 4 == 0) continue;  // not a customer at that date
        const int score = static_cast<int>(random() % 101);
        entries.push_back(Entry("id" + std::to_string((c * 37) % 150), score,
                                static_cast<RiskLevel>(random() % 3)));
      }
      std::shuffle(entries.begin(), entries.end(), random);
      ASSERT_TRUE(store->WriteSnapshot(day, entries).ok());
      for (const HistoryEntry& entry : entries) written[day][entry.customer_id] = entry;
    }
    absl::StatusOr<RiskMovements> movements = store->Movements();
    ASSERT_TRUE(movements.ok()) << movements.status();
    const auto& latest = written[92];
    const auto& previous = written[85];
    const auto& baseline = written[64];  // the oldest within [92 - 30, 92)
    EXPECT_EQ(movements->baseline_30d, 64);
    ASSERT_EQ(movements->by_customer.size(), latest.size());
    int64_t up = 0, down = 0;
    for (const auto& [id, now] : latest) {
      const RiskMovement* movement = movements->Find(id);
      ASSERT_NE(movement, nullptr) << id;
      auto then = baseline.find(id);
      EXPECT_EQ(movement->score_change_30d,
                then == baseline.end() ? std::nullopt
                                       : std::optional<int>(now.score - then->second.score))
          << id;
      auto before = previous.find(id);
      EXPECT_EQ(movement->entered_high,
                now.level == RiskLevel::kHigh &&
                    (before == previous.end() || before->second.level != RiskLevel::kHigh))
          << id;
      if (before != previous.end()) {
        up += now.level > before->second.level;
        down += now.level < before->second.level;
      }
    }
    EXPECT_EQ(movements->moved_up, up);
    EXPECT_EQ(movements->moved_down, down);
  }
}

TEST(RiskHistoryStoreTest, OneSnapshotHasNoMovements) {
  auto store = OpenOrDie(FreshPath("single"));
  ASSERT_TRUE(store->WriteSnapshot(100, {Entry("a", 90, RiskLevel::kHigh)}).ok());
  RiskMovements movements = *store->Movements();
  EXPECT_FALSE(movements.previous.has_value());
  EXPECT_FALSE(movements.Find("a")->entered_high);
  EXPECT_FALSE(movements.Find("a")->score_change_30d.has_value());
}

TEST(RiskHistoryStoreTest, BackfillAnchorIsKeptAcrossReopen) {
  const std::string path = FreshPath("anchor");
  {
    auto store = OpenOrDie(path);
    EXPECT_FALSE(store->BackfillAnchor()->has_value());
    ASSERT_TRUE(store->SetBackfillAnchor(500).ok());
  }
  auto store = OpenOrDie(path);
  EXPECT_EQ(*store->BackfillAnchor(), 500);
  ASSERT_TRUE(store->SetBackfillAnchor(510).ok());
  EXPECT_EQ(*store->BackfillAnchor(), 510);
}

TEST(RiskHistoryStoreTest, FileNotOpenableYetAnswersUnavailableAndOpensOnceItCan) {
  const std::string path = FreshPath("deferred");
  std::filesystem::create_directories(path);  // a directory where the file should be
  absl::Status not_writable;
  absl::StatusOr<std::unique_ptr<RiskHistoryStore>> store =
      RiskHistoryStore::OpenOrDefer(path, HistoryStoreOptions{}, &not_writable);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(not_writable.code(), absl::StatusCode::kUnavailable) << not_writable;
  EXPECT_EQ((*store)->WriteSnapshot(1, {Entry("a", 1, RiskLevel::kLow)}).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ((*store)->Trend("a").status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ((*store)->Movements().status().code(), absl::StatusCode::kUnavailable);
  // The obstacle goes: the next call opens the file, no restart needed.
  std::filesystem::remove(path);
  ASSERT_TRUE((*store)->WriteSnapshot(1, {Entry("a", 1, RiskLevel::kLow)}).ok());
  EXPECT_THAT(*(*store)->SnapshotDates(), ElementsAre(1));
  EXPECT_FALSE(RiskHistoryStore::OpenOrDefer("", HistoryStoreOptions{}, &not_writable).ok());
}

}  // namespace
}  // namespace churn::riskhistory
