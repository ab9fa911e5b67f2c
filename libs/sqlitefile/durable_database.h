#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace churn::sqlitefile {

// Opens (creating it and its folder if needed) a SQLite file for records that must survive a
// crash: WAL journal, synchronous commits, a busy timeout for a backup or a second process
// holding the lock, and `schema` applied. A file that exists but cannot be written opens
// read-only (SQLite falls back by itself): check sqlite3_db_readonly. `what` names the store in
// errors ("outcome log: cannot open PATH: ..."). The caller owns the handle (sqlite3_close).
absl::StatusOr<sqlite3*> OpenDurableDatabase(const std::string& path, std::string_view schema,
                                             const char* what);

// Why SQLite could not open or write the file, in words a caller can act on.
std::string FileProblem(sqlite3* db);

}  // namespace churn::sqlitefile
