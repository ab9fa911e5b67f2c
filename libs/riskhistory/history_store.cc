#include "riskhistory/history_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "sqlitefile/durable_database.h"
#include "sqlitefile/statement.h"
#include "riskhistory/fired_rules_codec.h"
#include "status/status_macros.h"

namespace churn::riskhistory {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS customers (
  id          INTEGER PRIMARY KEY,
  customer_id TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS rules (
  id   INTEGER PRIMARY KEY,
  rule TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS assessments (
  day      INTEGER NOT NULL,
  customer INTEGER NOT NULL,
  score    INTEGER NOT NULL,
  level    INTEGER NOT NULL CHECK (level IN (0, 1, 2)),
  rules    BLOB NOT NULL,
  PRIMARY KEY (day, customer)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS assessments_by_customer ON assessments (customer, day);
CREATE TABLE IF NOT EXISTS settings (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
)sql";

constexpr char kWhat[] = "risk history";

using sqlitefile::ColumnBlob;
using sqlitefile::ColumnText;
using sqlitefile::Statement;

absl::Status SqliteError(sqlite3* db, std::string_view what) {
  return absl::InternalError(absl::StrCat(kWhat, ": ", std::string(what), ": ",
                                          db ? sqlite3_errmsg(db) : "out of memory"));
}

constexpr char kReadOnly[] =
    "risk history: its file system is read-only or the file is not writable";
constexpr char kDiskFull[] = "risk history: the disk holding it is full";

// A failed step of a write, as the caller should see it.
absl::Status StepError(sqlite3* db, int step, std::string_view what) {
  step &= 0xff;
  if (step == SQLITE_FULL) return absl::ResourceExhaustedError(kDiskFull);
  if (step == SQLITE_READONLY) return absl::UnavailableError(kReadOnly);
  return SqliteError(db, what);
}

absl::StatusOr<scoring::RiskLevel> LevelOf(int64_t stored) {
  if (stored < 0 || stored > 2) {
    return absl::DataLossError(absl::StrCat(kWhat, ": level ", stored, " is not 0, 1 or 2"));
  }
  return static_cast<scoring::RiskLevel>(stored);
}

// Small integer ids for repeated text (customer ids, rule ids): the two statements are prepared
// once per write, not once per row.
class Interner {
 public:
  Interner(sqlite3* db, const char* table, const char* column)
      : db_(db),
        insert_(
            db,
            absl::StrCat("INSERT OR IGNORE INTO ", table, " (", column, ") VALUES (?1)").c_str()),
        select_(db, absl::StrCat("SELECT id FROM ", table, " WHERE ", column, " = ?1").c_str()) {}
  // Table and column names are the store's own constants, never data.

  absl::StatusOr<int64_t> Id(const std::string& value) {
    if (!insert_.ok() || !select_.ok()) return SqliteError(db_, "prepare intern");
    insert_.Reset();
    insert_.BindText(1, value);
    if (int step = sqlite3_step(insert_.get()); step != SQLITE_DONE) {
      return StepError(db_, step, "intern");
    }
    select_.Reset();
    select_.BindText(1, value);
    if (sqlite3_step(select_.get()) != SQLITE_ROW) return SqliteError(db_, "intern lookup");
    return sqlite3_column_int64(select_.get(), 0);
  }

 private:
  sqlite3* db_;
  Statement insert_;
  Statement select_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<RiskHistoryStore>> RiskHistoryStore::Open(
    const std::string& path, HistoryStoreOptions options) {
  absl::Status not_writable;
  CHURN_ASSIGN_OR_RETURN(std::unique_ptr<RiskHistoryStore> store,
                         OpenOrDefer(path, options, &not_writable));
  if (!not_writable.ok()) return not_writable;
  return store;
}

absl::StatusOr<std::unique_ptr<RiskHistoryStore>> RiskHistoryStore::OpenOrDefer(
    const std::string& path, HistoryStoreOptions options, absl::Status* not_writable) {
  if (path.empty()) return absl::InvalidArgumentError("risk history: path is empty");
  if (options.retention_days < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "risk history: retention_days must be >= 0 (0 keeps all), got ", options.retention_days));
  }
  std::unique_ptr<RiskHistoryStore> store(new RiskHistoryStore(path, options));
  concurrency::MutexLock lock(store->mu_);
  *not_writable = store->ConnectLocked();
  if (not_writable->ok() && store->read_only_) *not_writable = absl::UnavailableError(kReadOnly);
  return store;
}

RiskHistoryStore::RiskHistoryStore(std::string path, HistoryStoreOptions options)
    : path_(std::move(path)), options_(options) {}

RiskHistoryStore::~RiskHistoryStore() {
  concurrency::MutexLock lock(mu_);
  sqlite3_close(db_);
}

absl::Status RiskHistoryStore::ConnectLocked() const {
  sqlite3_close(db_);
  db_ = nullptr;
  read_only_ = false;
  last_write_.reset();  // data_version counts per connection
  CHURN_ASSIGN_OR_RETURN(sqlite3 * db, sqlitefile::OpenDurableDatabase(path_, kSchema, kWhat));
  db_ = db;
  read_only_ = sqlite3_db_readonly(db, "main") == 1;
  return absl::OkStatus();
}

absl::Status RiskHistoryStore::ReadyLocked(bool write) const {
  if (db_ == nullptr || (write && read_only_)) {
    CHURN_RETURN_IF_ERROR(ConnectLocked());
    if (write && read_only_) return absl::UnavailableError(kReadOnly);
  }
  return absl::OkStatus();
}

absl::Status RiskHistoryStore::WriteSnapshot(dataset::Day date,
                                             absl::Span<const HistoryEntry> entries) {
  bool given = false;
  return WriteSnapshotFrom(date,
                           [&](std::vector<HistoryEntry>* chunk) {
                             if (!given) chunk->assign(entries.begin(), entries.end());
                             given = true;
                             return absl::OkStatus();
                           })
      .status();
}

absl::StatusOr<WrittenRows> RiskHistoryStore::WriteSnapshotFrom(dataset::Day date,
                                                                const EntrySource& next) {
  concurrency::MutexLock lock(mu_);
  CHURN_RETURN_IF_ERROR(ReadyLocked(/*write=*/true));
  int begin = sqlite3_exec(db_, "BEGIN IMMEDIATE;", nullptr, nullptr, nullptr);
  if (begin != SQLITE_OK) return StepError(db_, begin, "begin");
  // Read under the write lock: no other connection commits between this and the commit.
  absl::StatusOr<int64_t> data_version = DataVersionLocked();
  absl::Status status = data_version.status();
  // An older date (a backfilled one) leaves the fingerprints those of the newest.
  const bool newest = !last_write_ || date >= last_write_->date;
  const bool compare = data_version.ok() && last_write_ && last_write_->date == date &&
                       last_write_->data_version == *data_version;
  CustomerIdMap<uint64_t> fingerprints;
  bool pruned = false;
  absl::StatusOr<WrittenRows> written;
  if (status.ok()) {
    written =
        WriteLocked(date, next, compare ? &last_write_->rows : nullptr, &fingerprints, &pruned);
    status = written.status();
  }
  if (status.ok()) {
    const int commit = sqlite3_exec(db_, "COMMIT;", nullptr, nullptr, nullptr);
    if (commit == SQLITE_OK) {
      if (pruned) {
        last_write_.reset();  // the retention may have deleted rows they describe
      } else if (newest) {
        last_write_ = LastWrite{date, *data_version, std::move(fingerprints)};
      }
      return written;
    }
    status = StepError(db_, commit, "commit");
  }
  sqlite3_exec(db_, "ROLLBACK;", nullptr, nullptr, nullptr);
  last_write_.reset();
  if (absl::IsUnavailable(status)) read_only_ = true;  // reconnect on the next write
  return status;
}

absl::StatusOr<int64_t> RiskHistoryStore::DataVersionLocked() const {
  Statement version(db_, "PRAGMA data_version");
  if (!version.ok()) return SqliteError(db_, "prepare data_version");
  if (sqlite3_step(version.get()) != SQLITE_ROW) return SqliteError(db_, "data_version");
  return sqlite3_column_int64(version.get(), 0);
}

namespace {

// What a row holds, for telling a changed row from an unchanged one within this process (a
// 64-bit hash: two different rows alike by chance about once in 2^64 comparisons).
uint64_t Fingerprint(const HistoryEntry& entry) {
  return absl::HashOf(entry.score, static_cast<int>(entry.level), entry.fired_rules);
}

}  // namespace

absl::StatusOr<WrittenRows> RiskHistoryStore::WriteLocked(dataset::Day date,
                                                          const EntrySource& next,
                                                          const CustomerIdMap<uint64_t>* before,
                                                          CustomerIdMap<uint64_t>* after,
                                                          bool* pruned) {
  WrittenRows written;
  written.whole_date = before == nullptr;
  if (written.whole_date) {
    Statement remove(db_, "DELETE FROM assessments WHERE day = ?1");
    if (!remove.ok()) return SqliteError(db_, "prepare delete");
    remove.BindInt(1, date);
    if (int step = sqlite3_step(remove.get()); step != SQLITE_DONE) {
      return StepError(db_, step, "delete");
    }
  }
  // Rule ids repeat on every row: intern each once per write.
  absl::flat_hash_map<std::string, int64_t> rule_ids;
  Interner customers(db_, "customers", "customer_id");
  Interner rules(db_, "rules", "rule");
  Statement upsert(db_,
                   "INSERT INTO assessments (day, customer, score, level, rules) "
                   "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (day, customer) DO UPDATE SET "
                   "score = excluded.score, level = excluded.level, rules = excluded.rules");
  if (!upsert.ok()) return SqliteError(db_, "prepare insert");
  std::vector<HistoryEntry> chunk;
  std::vector<int64_t> ids;
  while (true) {
    chunk.clear();
    CHURN_RETURN_IF_ERROR(next(&chunk));
    if (chunk.empty()) break;
    for (const HistoryEntry& entry : chunk) {
      if (entry.customer_id.empty()) {
        return absl::InvalidArgumentError("risk history: empty customer id");
      }
      const uint64_t fingerprint = Fingerprint(entry);
      if (!after->try_emplace(entry.customer_id, fingerprint).second) {
        return absl::InvalidArgumentError(
            absl::StrCat("risk history: customer '", entry.customer_id, "' appears twice"));
      }
      if (before != nullptr) {
        const uint64_t* stored = before->Find(entry.customer_id);
        if (stored != nullptr && *stored == fingerprint) continue;
      }
      CHURN_ASSIGN_OR_RETURN(int64_t customer, customers.Id(entry.customer_id));
      ids.clear();
      for (const std::string& rule : entry.fired_rules) {
        auto it = rule_ids.find(rule);
        if (it == rule_ids.end()) {
          CHURN_ASSIGN_OR_RETURN(int64_t id, rules.Id(rule));
          it = rule_ids.emplace(rule, id).first;
        }
        ids.push_back(it->second);
      }
      upsert.Reset();
      upsert.BindInt(1, date);
      upsert.BindInt(2, customer);
      upsert.BindInt(3, entry.score);
      upsert.BindInt(4, static_cast<int>(entry.level));
      upsert.BindBlob(5, PackRuleIds(ids));
      if (int step = sqlite3_step(upsert.get()); step != SQLITE_DONE) {
        return StepError(db_, step, "insert");
      }
      ++written.stored;
    }
  }
  if (before != nullptr) {
    // Customers of the last write that this one no longer has.
    Statement remove(db_,
                     "DELETE FROM assessments WHERE day = ?1 AND customer = "
                     "(SELECT id FROM customers WHERE customer_id = ?2)");
    if (!remove.ok()) return SqliteError(db_, "prepare delete");
    for (size_t row = 0; row < before->size(); ++row) {
      const std::string_view customer_id = before->id(row);
      if (after->Find(customer_id) != nullptr) continue;
      remove.Reset();
      remove.BindInt(1, date);
      remove.BindText(2, std::string(customer_id));
      if (int step = sqlite3_step(remove.get()); step != SQLITE_DONE) {
        return StepError(db_, step, "delete");
      }
      ++written.removed;
    }
  }
  *pruned = false;
  if (options_.retention_days > 0) {
    Statement prune(db_,
                    "DELETE FROM assessments WHERE day < (SELECT MAX(day) FROM assessments) - ?1");
    if (!prune.ok()) return SqliteError(db_, "prepare retention");
    prune.BindInt(1, options_.retention_days);
    if (int step = sqlite3_step(prune.get()); step != SQLITE_DONE) {
      return StepError(db_, step, "retention");
    }
    if (sqlite3_changes(db_) > 0) {
      *pruned = true;
      // Customers left without rows would only take space.
      const int orphans =
          sqlite3_exec(db_,
                       "DELETE FROM customers WHERE NOT EXISTS "
                       "(SELECT 1 FROM assessments WHERE assessments.customer = customers.id);",
                       nullptr, nullptr, nullptr);
      if (orphans != SQLITE_OK) return StepError(db_, orphans, "retention of customers");
    }
  }
  return written;
}

absl::StatusOr<std::vector<dataset::Day>> RiskHistoryStore::DatesLocked() const {
  // One index seek per date (the next day after the last), not a pass over every row of
  // every date as SELECT DISTINCT would make: a million customers times the dates held.
  Statement select(db_,
                   "WITH RECURSIVE dates(day) AS ("
                   "  SELECT MIN(day) FROM assessments"
                   "  UNION ALL"
                   "  SELECT (SELECT MIN(day) FROM assessments WHERE day > dates.day) FROM dates"
                   "  WHERE dates.day IS NOT NULL) "
                   "SELECT day FROM dates WHERE day IS NOT NULL");
  if (!select.ok()) return SqliteError(db_, "prepare dates");
  std::vector<dataset::Day> dates;
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW) {
    dates.push_back(static_cast<dataset::Day>(sqlite3_column_int64(select.get(), 0)));
  }
  if (step != SQLITE_DONE) return SqliteError(db_, "dates");
  return dates;
}

absl::StatusOr<std::vector<dataset::Day>> RiskHistoryStore::SnapshotDates() const {
  concurrency::MutexLock lock(mu_);
  CHURN_RETURN_IF_ERROR(ReadyLocked(/*write=*/false));
  return DatesLocked();
}

absl::StatusOr<std::vector<TrendPoint>> RiskHistoryStore::Trend(
    const std::string& customer_id) const {
  concurrency::MutexLock lock(mu_);
  CHURN_RETURN_IF_ERROR(ReadyLocked(/*write=*/false));
  absl::flat_hash_map<int64_t, std::string> rule_names;
  {
    Statement rules(db_, "SELECT id, rule FROM rules");
    if (!rules.ok()) return SqliteError(db_, "prepare rules");
    int step;
    while ((step = sqlite3_step(rules.get())) == SQLITE_ROW) {
      rule_names[sqlite3_column_int64(rules.get(), 0)] = ColumnText(rules.get(), 1);
    }
    if (step != SQLITE_DONE) return SqliteError(db_, "rules");
  }
  Statement select(db_,
                   "SELECT a.day, a.score, a.level, a.rules FROM assessments a "
                   "JOIN customers c ON c.id = a.customer WHERE c.customer_id = ?1 ORDER BY a.day");
  if (!select.ok()) return SqliteError(db_, "prepare trend");
  select.BindText(1, customer_id);
  std::vector<TrendPoint> points;
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW) {
    TrendPoint point;
    point.date = static_cast<dataset::Day>(sqlite3_column_int64(select.get(), 0));
    point.score = static_cast<int>(sqlite3_column_int64(select.get(), 1));
    CHURN_ASSIGN_OR_RETURN(point.level, LevelOf(sqlite3_column_int64(select.get(), 2)));
    CHURN_ASSIGN_OR_RETURN(std::vector<int64_t> ids, UnpackRuleIds(ColumnBlob(select.get(), 3)));
    for (int64_t id : ids) {
      auto it = rule_names.find(id);
      if (it == rule_names.end()) {
        return absl::DataLossError(absl::StrCat(kWhat, ": unknown rule id ", id));
      }
      point.fired_rules.push_back(it->second);
    }
    points.push_back(std::move(point));
  }
  if (step != SQLITE_DONE) return SqliteError(db_, "trend");
  return points;
}

absl::StatusOr<std::vector<RiskHistoryStore::StoredRow>> RiskHistoryStore::RowsOfLocked(
    dataset::Day date) const {
  // The primary key's order: no join, no sort.
  Statement select(db_,
                   "SELECT customer, score, level FROM assessments WHERE day = ?1 "
                   "ORDER BY customer");
  if (!select.ok()) return SqliteError(db_, "prepare rows");
  select.BindInt(1, date);
  std::vector<StoredRow> rows;
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW) {
    CHURN_ASSIGN_OR_RETURN(scoring::RiskLevel level,
                           LevelOf(sqlite3_column_int64(select.get(), 2)));
    rows.push_back({sqlite3_column_int64(select.get(), 0),
                    static_cast<int>(sqlite3_column_int64(select.get(), 1)), level});
  }
  if (step != SQLITE_DONE) return SqliteError(db_, "rows");
  return rows;
}

absl::StatusOr<RiskMovements> RiskHistoryStore::Movements() const {
  concurrency::MutexLock lock(mu_);
  CHURN_RETURN_IF_ERROR(ReadyLocked(/*write=*/false));
  CHURN_ASSIGN_OR_RETURN(std::vector<dataset::Day> dates, DatesLocked());
  RiskMovements movements;
  if (dates.empty()) return movements;
  movements.latest = dates.back();
  if (dates.size() >= 2) movements.previous = dates[dates.size() - 2];
  for (dataset::Day day : dates) {
    if (day >= *movements.latest - kScoreChangeDays && day < *movements.latest) {
      movements.baseline_30d = day;
      break;
    }
  }
  std::vector<StoredRow> previous, baseline;
  if (movements.previous) {
    CHURN_ASSIGN_OR_RETURN(previous, RowsOfLocked(*movements.previous));
  }
  const std::vector<StoredRow>* baseline_rows = &baseline;
  if (movements.baseline_30d) {
    if (movements.baseline_30d == movements.previous) {
      baseline_rows = &previous;
    } else {
      CHURN_ASSIGN_OR_RETURN(baseline, RowsOfLocked(*movements.baseline_30d));
    }
  }
  // The latest rows with their ids, in customer order as the others: each customer's rows of
  // the earlier dates are found by walking those alongside.
  Statement select(db_,
                   "SELECT a.customer, c.customer_id, a.score, a.level FROM assessments a "
                   "JOIN customers c ON c.id = a.customer WHERE a.day = ?1 ORDER BY a.customer");
  if (!select.ok()) return SqliteError(db_, "prepare rows");
  select.BindInt(1, *movements.latest);
  auto at_or_after = [](const std::vector<StoredRow>& rows, size_t* next,
                        int64_t customer) -> const StoredRow* {
    while (*next < rows.size() && rows[*next].customer < customer) ++*next;
    return *next < rows.size() && rows[*next].customer == customer ? &rows[*next] : nullptr;
  };
  size_t next_previous = 0, next_baseline = 0;
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW) {
    const int64_t customer = sqlite3_column_int64(select.get(), 0);
    CHURN_ASSIGN_OR_RETURN(scoring::RiskLevel level,
                           LevelOf(sqlite3_column_int64(select.get(), 3)));
    const int score = static_cast<int>(sqlite3_column_int64(select.get(), 2));
    const auto* id = reinterpret_cast<const char*>(sqlite3_column_text(select.get(), 1));
    RiskMovement& movement = movements.by_customer[std::string_view(
        id != nullptr ? id : "", static_cast<size_t>(sqlite3_column_bytes(select.get(), 1)))];
    if (const StoredRow* then = at_or_after(*baseline_rows, &next_baseline, customer)) {
      movement.score_change_30d = score - then->score;
    }
    const StoredRow* before = at_or_after(previous, &next_previous, customer);
    if (movements.previous && level == scoring::RiskLevel::kHigh) {
      movement.entered_high = before == nullptr || before->level != scoring::RiskLevel::kHigh;
    }
    if (before != nullptr) {
      if (level > before->level) ++movements.moved_up;
      if (level < before->level) ++movements.moved_down;
    }
  }
  if (step != SQLITE_DONE) return SqliteError(db_, "rows");
  return movements;
}

absl::StatusOr<std::optional<dataset::Day>> RiskHistoryStore::BackfillAnchor() const {
  concurrency::MutexLock lock(mu_);
  CHURN_RETURN_IF_ERROR(ReadyLocked(/*write=*/false));
  Statement select(db_, "SELECT value FROM settings WHERE key = 'backfill_anchor'");
  if (!select.ok()) return SqliteError(db_, "prepare anchor");
  const int step = sqlite3_step(select.get());
  if (step == SQLITE_DONE) return std::optional<dataset::Day>();
  if (step != SQLITE_ROW) return SqliteError(db_, "anchor");
  return std::optional<dataset::Day>(
      static_cast<dataset::Day>(sqlite3_column_int64(select.get(), 0)));
}

absl::Status RiskHistoryStore::SetBackfillAnchor(dataset::Day date) {
  concurrency::MutexLock lock(mu_);
  CHURN_RETURN_IF_ERROR(ReadyLocked(/*write=*/true));
  Statement upsert(db_,
                   "INSERT INTO settings (key, value) VALUES ('backfill_anchor', ?1) "
                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  if (!upsert.ok()) return SqliteError(db_, "prepare anchor");
  upsert.BindInt(1, date);
  if (int step = sqlite3_step(upsert.get()); step != SQLITE_DONE) {
    absl::Status status = StepError(db_, step, "anchor");
    if (absl::IsUnavailable(status)) read_only_ = true;
    return status;
  }
  return absl::OkStatus();
}

}  // namespace churn::riskhistory
