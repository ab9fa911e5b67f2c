#include "outcomes/outcome_log.h"

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/scratch_dir.h"

namespace churn::outcomes {
namespace {

using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixSeconds(1735689600);  // 2025-01-01T00:00:00Z

// Per process: tests may run in parallel, from several build trees. Removed at exit.
const std::filesystem::path& TestRoot() { return churn::testing::ProgramScratch().path(); }

std::string FreshPath(const std::string& name) {
  std::filesystem::path dir = TestRoot() / name;
  std::filesystem::remove_all(dir);
  return (dir / "nested" / "outcomes.sqlite").string();  // parent folders do not exist yet
}

std::unique_ptr<OutcomeLog> OpenOrDie(const std::string& path) {
  absl::StatusOr<std::unique_ptr<OutcomeLog>> log = OutcomeLog::Open(path);
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? std::move(*log) : nullptr;
}

TEST(OutcomeKind, NamesRoundTrip) {
  for (OutcomeKind kind : kAllOutcomeKinds) {
    absl::StatusOr<OutcomeKind> parsed = ParseOutcomeKind(OutcomeKindName(kind));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_EQ(OutcomeKindName(OutcomeKind::kMeetingScheduled), "meeting_scheduled");
  EXPECT_EQ(OutcomeKindName(OutcomeKind::kNoResponse), "no_response");
  absl::StatusOr<OutcomeKind> bad = ParseOutcomeKind("ghosted");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("no_response"));
}

TEST(OutcomeLog, RecordsAndListsNewestFirst) {
  auto log = OpenOrDie(FreshPath("newest_first"));
  ASSERT_NE(log, nullptr);
  auto first = log->Record({"S-1", OutcomeKind::kContacted, "left a voicemail", "ana"}, kT0);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_GT(first->id, 0);
  EXPECT_EQ(first->recorded_at, kT0);
  ASSERT_TRUE(log->Record({"S-2", OutcomeKind::kRenewed, "", ""}, kT0 + absl::Seconds(1)).ok());
  auto third = log->Record({"S-1", OutcomeKind::kMeetingScheduled, "Tuesday 10:00", "ana"},
                           kT0 + absl::Seconds(2));
  ASSERT_TRUE(third.ok());
  EXPECT_GT(third->id, first->id);

  auto s1 = log->List("S-1", 0, 50);
  ASSERT_TRUE(s1.ok()) << s1.status();
  ASSERT_EQ(s1->outcomes.size(), 2u);
  EXPECT_EQ(s1->outcomes[0].kind, OutcomeKind::kMeetingScheduled);
  EXPECT_EQ(s1->outcomes[0].note, "Tuesday 10:00");
  EXPECT_EQ(s1->outcomes[0].recorded_at, kT0 + absl::Seconds(2));
  EXPECT_EQ(s1->outcomes[1].kind, OutcomeKind::kContacted);
  EXPECT_EQ(s1->outcomes[1].recorded_by, "ana");
  EXPECT_EQ(s1->next_before_id, 0);

  auto all = log->List("", 0, 50);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->outcomes.size(), 3u);
  EXPECT_EQ(all->outcomes[1].customer_id, "S-2");

  auto none = log->List("S-404", 0, 50);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->outcomes.empty());
}

TEST(OutcomeLog, NothingIsLostAcrossCloseAndReopen) {
  const std::string path = FreshPath("reopen");
  int64_t id = 0;
  {
    auto log = OpenOrDie(path);
    ASSERT_NE(log, nullptr);
    for (OutcomeKind kind : kAllOutcomeKinds) {
      auto stored = log->Record({"S-1", kind, std::string(OutcomeKindName(kind)), "bo"}, kT0);
      ASSERT_TRUE(stored.ok()) << stored.status();
      id = stored->id;
    }
  }
  auto reopened = OpenOrDie(path);
  ASSERT_NE(reopened, nullptr);
  auto page = reopened->List("S-1", 0, 100);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->outcomes.size(), std::size(kAllOutcomeKinds));
  EXPECT_EQ(page->outcomes[0].id, id);
  EXPECT_EQ(page->outcomes[0].kind, OutcomeKind::kNoResponse);
  EXPECT_EQ(page->outcomes.back().kind, OutcomeKind::kContacted);
  EXPECT_EQ(page->outcomes.back().note, "contacted");
  // Ids keep increasing after a reopen.
  auto next = reopened->Record({"S-1", OutcomeKind::kRenewed, "", ""}, kT0);
  ASSERT_TRUE(next.ok());
  EXPECT_GT(next->id, id);
}

TEST(OutcomeLog, FileIsInWalModeWithTheDocumentedTable) {
  const std::string path = FreshPath("wal");
  auto log = OpenOrDie(path);
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(log->Record({"S-1", OutcomeKind::kCancelled, "n", "r"}, kT0).ok());

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  auto query_text = [&](const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string value;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return value;
  };
  EXPECT_EQ(query_text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query_text("SELECT outcome || '|' || note || '|' || recorded_at || '|' || "
                       "recorded_by || '|' || customer_id FROM outcomes"),
            "cancelled|n|2025-01-01T00:00:00Z|r|S-1");
  sqlite3_close(db);
}

// A brief lists one customer's latest records: that must search the index, not scan the whole
// log, or every brief slows down as the log grows (the soak bench showed it).
TEST(OutcomeLog, ListingOneCustomerSearchesTheCustomerIndex) {
  const std::string path = FreshPath("plan");
  auto log = OpenOrDie(path);
  ASSERT_NE(log, nullptr);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  auto plan = [&](const std::string& query) {
    sqlite3_stmt* stmt = nullptr;
    std::string details;
    const std::string sql = "EXPLAIN QUERY PLAN " + query;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        details += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
        details += "; ";
      }
    }
    sqlite3_finalize(stmt);
    return details;
  };
  for (const bool before_id : {false, true}) {
    const std::string details = plan(OutcomeListQuery(/*by_customer=*/true, before_id));
    EXPECT_THAT(details,
                HasSubstr("SEARCH outcomes USING INDEX outcomes_by_customer (customer_id=?"))
        << "before_id " << before_id << ": " << details;
  }
  sqlite3_close(db);
  // The filters still apply as before.
  ASSERT_TRUE(log->Record({"S-1", OutcomeKind::kContacted, "", ""}, kT0).ok());
  ASSERT_TRUE(log->Record({"S-2", OutcomeKind::kRenewed, "", ""}, kT0).ok());
  absl::StatusOr<OutcomePage> one = log->List("S-1", 0, 10);
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_EQ(one->outcomes.size(), 1u);
  EXPECT_EQ(one->outcomes[0].customer_id, "S-1");
  absl::StatusOr<OutcomePage> all = log->List("", 0, 10);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->outcomes.size(), 2u);
}

TEST(OutcomeLog, PagesWithABeforeIdCursor) {
  auto log = OpenOrDie(FreshPath("paging"));
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(log->Record({"S-1", OutcomeKind::kContacted, std::to_string(i), ""}, kT0).ok());
  }
  auto first = log->List("S-1", 0, 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->outcomes.size(), 2u);
  EXPECT_EQ(first->outcomes[0].note, "4");
  ASSERT_NE(first->next_before_id, 0);
  auto second = log->List("S-1", first->next_before_id, 2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->outcomes[0].note, "2");
  auto third = log->List("S-1", second->next_before_id, 2);
  ASSERT_TRUE(third.ok());
  ASSERT_EQ(third->outcomes.size(), 1u);
  EXPECT_EQ(third->outcomes[0].note, "0");
  EXPECT_EQ(third->next_before_id, 0);
}

TEST(OutcomeLog, RejectsBadInputWithoutWriting) {
  auto log = OpenOrDie(FreshPath("bad_input"));
  ASSERT_NE(log, nullptr);
  auto no_customer = log->Record({"", OutcomeKind::kContacted, "", ""}, kT0);
  EXPECT_EQ(no_customer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(no_customer.status().message()), HasSubstr("customer_id"));
  auto long_note =
      log->Record({"S-1", OutcomeKind::kContacted, std::string(kMaxNoteBytes + 1, 'x'), ""}, kT0);
  EXPECT_EQ(long_note.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(long_note.status().message()), HasSubstr("note"));
  // Text is data: quotes and SQL stay as written.
  auto tricky = log->Record({"S-1'; DROP TABLE outcomes; --", OutcomeKind::kContacted,
                             "it's \"fine\"", ""}, kT0);
  ASSERT_TRUE(tricky.ok());
  auto all = log->List("", 0, 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->outcomes.size(), 1u);
  EXPECT_EQ(all->outcomes[0].note, "it's \"fine\"");
}

TEST(OutcomeLog, ConcurrentWritersAllLand) {
  auto log = OpenOrDie(FreshPath("concurrent"));
  ASSERT_NE(log, nullptr);
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&log, t] {
      for (int i = 0; i < 10; ++i) {
        EXPECT_TRUE(log->Record({"S-" + std::to_string(t), OutcomeKind::kContacted, "", ""}, kT0)
                        .ok());
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  auto all = log->List("", 0, 1000);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->outcomes.size(), 40u);
}

TEST(OutcomeLog, UnopenablePathIsAnError) {
  const std::string path = FreshPath("unopenable");
  std::filesystem::create_directories(path);  // a directory where the file should be
  absl::StatusOr<std::unique_ptr<OutcomeLog>> log = OutcomeLog::Open(path);
  EXPECT_FALSE(log.ok());
  EXPECT_FALSE(OutcomeLog::Open("").ok());
}

TEST(OutcomeLog, FileNotOpenableYetAnswersUnavailableAndOpensOnceItCan) {
  const std::string path = FreshPath("deferred");
  std::filesystem::create_directories(path);  // a directory where the file should be
  absl::Status not_writable;
  absl::StatusOr<std::unique_ptr<OutcomeLog>> log = OutcomeLog::OpenOrDefer(path, &not_writable);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(not_writable.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ((*log)->Record({"S-1", OutcomeKind::kContacted, "", ""}, kT0).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ((*log)->List("", 0, 10).status().code(), absl::StatusCode::kUnavailable);

  // The obstacle goes: the next call opens the file, no restart needed.
  std::filesystem::remove(path);
  ASSERT_TRUE((*log)->Record({"S-1", OutcomeKind::kContacted, "back", ""}, kT0).ok());
  absl::StatusOr<OutcomePage> page = (*log)->List("", 0, 10);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->outcomes.size(), 1u);
  EXPECT_EQ(page->outcomes[0].note, "back");
  EXPECT_FALSE(OutcomeLog::OpenOrDefer("", &not_writable).ok());
}

}  // namespace
}  // namespace churn::outcomes
