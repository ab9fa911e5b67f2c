#include "outcomes/outcome_log.h"

#include <sqlite3.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "sqlitefile/durable_database.h"
#include "sqlitefile/statement.h"
#include "timefmt/rfc3339.h"
#include "status/status_macros.h"

namespace churn::outcomes {
namespace {

using sqlitefile::ColumnText;
using sqlitefile::Statement;

constexpr int kMaxListLimit = 1000;

// The CHECK keeps a hand-edited database honest: only the known outcomes can be stored. The
// list comes from kOutcomeKinds; a file created with fewer kinds keeps its older CHECK.
std::string Schema() {
  return absl::StrCat(R"sql(
CREATE TABLE IF NOT EXISTS outcomes (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id TEXT NOT NULL,
  outcome     TEXT NOT NULL CHECK (outcome IN ()sql",
                      OutcomeKindSqlList(), R"sql()),
  note        TEXT NOT NULL DEFAULT '',
  recorded_at TEXT NOT NULL,
  recorded_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS outcomes_by_customer ON outcomes (customer_id, id);
)sql");
}

absl::Status SqliteError(sqlite3* db, std::string_view what) {
  return absl::InternalError(absl::StrCat("outcome log: ", std::string(what), ": ",
                                          db ? sqlite3_errmsg(db) : "out of memory"));
}

constexpr char kReadOnly[] =
    "outcome log: its file system is read-only or the file is not writable; the outcome was not "
    "recorded";
constexpr char kDiskFull[] =
    "outcome log: the disk holding it is full; the outcome was not recorded";

}  // namespace

absl::StatusOr<std::unique_ptr<OutcomeLog>> OutcomeLog::Open(const std::string& path) {
  absl::Status not_writable;
  absl::StatusOr<std::unique_ptr<OutcomeLog>> log = OpenOrDefer(path, &not_writable);
  if (!not_writable.ok()) return not_writable;
  return log;
}

absl::StatusOr<std::unique_ptr<OutcomeLog>> OutcomeLog::OpenOrDefer(const std::string& path,
                                                                    absl::Status* not_writable) {
  if (path.empty()) return absl::InvalidArgumentError("outcome log: path is empty");
  std::unique_ptr<OutcomeLog> log(new OutcomeLog(path));
  concurrency::MutexLock lock(log->mu_);
  *not_writable = log->ConnectLocked();
  if (not_writable->ok() && log->read_only_) *not_writable = absl::UnavailableError(kReadOnly);
  return log;
}

OutcomeLog::OutcomeLog(std::string path) : path_(std::move(path)) {}

OutcomeLog::~OutcomeLog() {
  concurrency::MutexLock lock(mu_);
  sqlite3_close(db_);
}

absl::Status OutcomeLog::ConnectLocked() const {
  sqlite3_close(db_);
  db_ = nullptr;
  read_only_ = false;
  CHURN_ASSIGN_OR_RETURN(sqlite3 * db,
                         sqlitefile::OpenDurableDatabase(path_, Schema(), "outcome log"));
  db_ = db;
  read_only_ = sqlite3_db_readonly(db, "main") == 1;
  return absl::OkStatus();
}

absl::StatusOr<Outcome> OutcomeLog::Record(const NewOutcome& outcome, absl::Time recorded_at) {
  if (outcome.customer_id.empty()) {
    return absl::InvalidArgumentError("customer_id: must not be empty");
  }
  if (outcome.customer_id.size() > kMaxCustomerIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("customer_id: at most ", kMaxCustomerIdBytes, " bytes"));
  }
  if (outcome.note.size() > kMaxNoteBytes) {
    return absl::InvalidArgumentError(absl::StrCat("note: at most ", kMaxNoteBytes,
                                                   " bytes, got ", outcome.note.size()));
  }
  if (outcome.recorded_by.size() > kMaxRecordedByBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("recorded_by: at most ", kMaxRecordedByBytes, " bytes"));
  }
  // Stored at whole seconds, so what is returned equals what a later List reads back.
  const absl::Time when = absl::FromUnixSeconds(absl::ToUnixSeconds(recorded_at));
  Outcome stored{0, outcome.customer_id, outcome.kind, outcome.note, when, outcome.recorded_by};

  concurrency::MutexLock lock(mu_);
  // Not open, or open read-only: the file system may be writable again by now.
  if (db_ == nullptr || read_only_) {
    CHURN_RETURN_IF_ERROR(ConnectLocked());
    if (read_only_) return absl::UnavailableError(kReadOnly);
  }
  Statement insert(db_,
                   "INSERT INTO outcomes (customer_id, outcome, note, recorded_at, recorded_by) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!insert.ok()) return SqliteError(db_, "prepare insert");
  insert.BindText(1, stored.customer_id);
  insert.BindText(2, std::string(OutcomeKindName(stored.kind)));
  insert.BindText(3, stored.note);
  insert.BindText(4, timefmt::FormatRfc3339Seconds(when));
  insert.BindText(5, stored.recorded_by);
  const int step = sqlite3_step(insert.get()) & 0xff;  // the primary result code
  if (step == SQLITE_FULL) return absl::ResourceExhaustedError(kDiskFull);
  if (step == SQLITE_READONLY) {
    read_only_ = true;  // reconnect on the next record
    return absl::UnavailableError(kReadOnly);
  }
  if (step != SQLITE_DONE) return SqliteError(db_, "insert");
  stored.id = sqlite3_last_insert_rowid(db_);
  return stored;
}

std::string OutcomeListQuery(bool by_customer, bool before_id) {
  std::string sql = "SELECT id, customer_id, outcome, note, recorded_at, recorded_by FROM outcomes";
  if (by_customer || before_id) sql += " WHERE ";
  if (by_customer) sql += "customer_id = ?1";
  if (by_customer && before_id) sql += " AND ";
  if (before_id) sql += "id < ?2";
  // Unused numbered parameters stay bindable: sqlite counts up to the highest one, ?3.
  return sql + " ORDER BY id DESC LIMIT ?3";
}

absl::StatusOr<OutcomePage> OutcomeLog::List(const std::string& customer_id, int64_t before_id,
                                             int limit) const {
  limit = std::clamp(limit, 1, kMaxListLimit);
  concurrency::MutexLock lock(mu_);
  if (db_ == nullptr) {
    CHURN_RETURN_IF_ERROR(ConnectLocked());
  }
  // One more row than asked tells whether there is a next page.
  const std::string sql = OutcomeListQuery(!customer_id.empty(), before_id > 0);
  Statement select(db_, sql.c_str());
  if (!select.ok()) return SqliteError(db_, "prepare select");
  select.BindText(1, customer_id);
  select.BindInt(2, before_id);
  select.BindInt(3, limit + 1);

  OutcomePage page;
  int step;
  while ((step = sqlite3_step(select.get())) == SQLITE_ROW) {
    if (static_cast<int>(page.outcomes.size()) == limit) {
      page.next_before_id = page.outcomes.back().id;
      break;
    }
    Outcome outcome;
    outcome.id = sqlite3_column_int64(select.get(), 0);
    outcome.customer_id = ColumnText(select.get(), 1);
    absl::StatusOr<OutcomeKind> kind = ParseOutcomeKind(ColumnText(select.get(), 2));
    if (!kind.ok()) {
      return absl::DataLossError(absl::StrCat("outcome log: row ", outcome.id, ": ",
                                              kind.status().message()));
    }
    outcome.kind = *kind;
    outcome.note = ColumnText(select.get(), 3);
    absl::StatusOr<absl::Time> recorded_at =
        timefmt::ParseRfc3339Seconds(ColumnText(select.get(), 4));
    if (!recorded_at.ok()) {
      return absl::DataLossError(absl::StrCat("outcome log: row ", outcome.id,
                                              ": recorded_at: ", recorded_at.status().message()));
    }
    outcome.recorded_at = *recorded_at;
    outcome.recorded_by = ColumnText(select.get(), 5);
    page.outcomes.push_back(std::move(outcome));
  }
  if (step != SQLITE_ROW && step != SQLITE_DONE) return SqliteError(db_, "select");
  return page;
}

}  // namespace churn::outcomes
