#include "integration_faults/outcome_log_file.h"

#include <sqlite3.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "status/status_macros.h"

namespace churn::testing {
namespace {

using Db = std::unique_ptr<sqlite3, decltype(&sqlite3_close)>;

absl::StatusOr<Db> OpenReadOnly(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  Db owned(db, &sqlite3_close);
  if (rc != SQLITE_OK) {
    return absl::UnavailableError(
        absl::StrCat("open ", path, ": ", db ? sqlite3_errmsg(db) : "out of memory"));
  }
  sqlite3_busy_timeout(db, 5000);
  return owned;
}

// Every row of `sql`, as (first column text, second column text).
absl::StatusOr<std::map<std::string, std::string>> Rows(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
    return absl::InternalError(absl::StrCat(sql, ": ", sqlite3_errmsg(db)));
  }
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, &sqlite3_finalize);
  std::map<std::string, std::string> rows;
  int step;
  while ((step = sqlite3_step(raw)) == SQLITE_ROW) {
    auto text = [raw](int column) {
      const unsigned char* value = sqlite3_column_text(raw, column);
      return value ? std::string(reinterpret_cast<const char*>(value)) : std::string();
    };
    rows[text(0)] = sqlite3_column_count(raw) > 1 ? text(1) : "";
  }
  if (step != SQLITE_DONE) return absl::InternalError(absl::StrCat(sql, ": ", sqlite3_errmsg(db)));
  return rows;
}

}  // namespace

absl::StatusOr<std::map<std::string, int>> RowsByNote(const std::string& db_path) {
  CHURN_ASSIGN_OR_RETURN(Db db, OpenReadOnly(db_path));
  CHURN_ASSIGN_OR_RETURN(auto rows,
                         Rows(db.get(), "SELECT note, count(*) FROM outcomes GROUP BY note"));
  std::map<std::string, int> counts;
  for (const auto& [note, count] : rows) counts[note] = std::stoi(count);
  return counts;
}

absl::StatusOr<std::string> IntegrityCheck(const std::string& db_path) {
  CHURN_ASSIGN_OR_RETURN(Db db, OpenReadOnly(db_path));
  CHURN_ASSIGN_OR_RETURN(auto rows, Rows(db.get(), "PRAGMA integrity_check"));
  std::string answer;
  for (const auto& [line, unused] : rows)
    absl::StrAppend(&answer, answer.empty() ? "" : "\n", line);
  return answer;
}

}  // namespace churn::testing
