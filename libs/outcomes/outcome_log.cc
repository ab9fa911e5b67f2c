#include "outcomes/outcome_log.h"

#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "timefmt/rfc3339.h"
#include "status/status_macros.h"

namespace churn::outcomes {
namespace {

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

// Finalizes the statement however the caller leaves.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { status_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return status_ == SQLITE_OK; }
  sqlite3_stmt* get() const { return stmt_; }
  void BindText(int index, const std::string& text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void BindInt(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int status_ = SQLITE_ERROR;
};

std::string ColumnText(sqlite3_stmt* stmt, int column) {
  const unsigned char* text = sqlite3_column_text(stmt, column);
  return text ? std::string(reinterpret_cast<const char*>(text),
                            static_cast<size_t>(sqlite3_column_bytes(stmt, column)))
              : std::string();
}

// Why SQLite could not open or write the file, in words a caller can act on.
std::string FileProblem(sqlite3* db) {
  const int system_errno = db ? sqlite3_system_errno(db) : 0;
  // SQLite opens a file it may not write read-only, then fails on the WAL (ENOENT).
  if (system_errno == EROFS || (db && sqlite3_db_readonly(db, "main") == 1)) {
    return "its file system is read-only or the file is not writable";
  }
  if (system_errno == EACCES || system_errno == EPERM) return "its file is not writable";
  if (system_errno == ENOSPC) return "the disk holding it is full";
  std::string problem = db ? sqlite3_errmsg(db) : "out of memory";
  if (system_errno != 0) absl::StrAppend(&problem, " (", std::strerror(system_errno), ")");
  return problem;
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
  const std::filesystem::path parent = std::filesystem::path(path_).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) {
      return absl::UnavailableError(absl::StrCat("outcome log: cannot create ", parent.string(),
                                                 ": ", error.message()));
    }
  }
  sqlite3* db = nullptr;
  // A file that exists but cannot be written opens read-only (SQLite falls back by itself).
  if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    absl::Status status = absl::UnavailableError(
        absl::StrCat("outcome log: cannot open ", path_, ": ", FileProblem(db)));
    sqlite3_close(db);
    return status;
  }
  // Another process (a backup, a second gateway) may hold the lock for a moment.
  sqlite3_busy_timeout(db, 5000);
  const std::string schema = Schema();
  for (const auto& [sql, what] :
       {std::pair{"PRAGMA journal_mode=WAL;", "enable WAL"},
        std::pair{"PRAGMA synchronous=FULL;", "enable synchronous commits"},
        std::pair{schema.c_str(), "create schema"}}) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      absl::Status status = absl::UnavailableError(
          absl::StrCat("outcome log: cannot ", what, " in ", path_, ": ", FileProblem(db)));
      sqlite3_close(db);
      return status;
    }
  }
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
