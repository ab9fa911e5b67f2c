#include "sqlitefile/durable_database.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace churn::sqlitefile {

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

absl::StatusOr<sqlite3*> OpenDurableDatabase(const std::string& path, std::string_view schema,
                                             const char* what) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) {
      return absl::UnavailableError(
          absl::StrCat(what, ": cannot create ", parent.string(), ": ", error.message()));
    }
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    absl::Status status =
        absl::UnavailableError(absl::StrCat(what, ": cannot open ", path, ": ", FileProblem(db)));
    sqlite3_close(db);
    return status;
  }
  sqlite3_busy_timeout(db, 5000);
  const std::string schema_sql(schema);
  for (const auto& [sql, step] :
       {std::pair{"PRAGMA journal_mode=WAL;", "enable WAL"},
        std::pair{"PRAGMA synchronous=FULL;", "enable synchronous commits"},
        std::pair{schema_sql.c_str(), "create schema"}}) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      absl::Status status = absl::UnavailableError(
          absl::StrCat(what, ": cannot ", step, " in ", path, ": ", FileProblem(db)));
      sqlite3_close(db);
      return status;
    }
  }
  return db;
}

}  // namespace churn::sqlitefile
