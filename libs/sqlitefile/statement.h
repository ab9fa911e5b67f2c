#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace churn::sqlitefile {

// A prepared statement that is finalized however the caller leaves.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return status_ == SQLITE_OK; }
  sqlite3_stmt* get() const { return stmt_; }
  void BindText(int index, std::string_view text);
  void BindBlob(int index, std::string_view bytes);
  void BindInt(int index, int64_t value);
  // Ready for the next row of a statement prepared once and stepped many times.
  void Reset();

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int status_ = SQLITE_ERROR;
};

// A column of the current row as bytes (empty for NULL).
std::string ColumnText(sqlite3_stmt* stmt, int column);
std::string ColumnBlob(sqlite3_stmt* stmt, int column);

}  // namespace churn::sqlitefile
