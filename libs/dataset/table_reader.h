#pragma once
// Reads one input table against its schema: maps header names to columns, then hands out
// rows whose typed accessors report bad values as "file:line:column: column: expected ...".

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "csv/reader.h"
#include "dataset/table_schema.h"
#include "dataset/value_parsers.h"

namespace churn::dataset {

class TableReader {
 public:
  // Opens `path`, reads the header and checks every required column is present.
  static absl::StatusOr<std::unique_ptr<TableReader>> Open(Table table, const std::string& path);
  // Same over in-memory text (uploads, tests).
  static absl::StatusOr<std::unique_ptr<TableReader>> FromString(Table table, std::string text,
                                                                 std::string source_name);

  // Bytes [begin, end) of the same file as a table of its own, for another thread: this
  // reader's header columns, rows from `begin` (a record start, at line `first_line`).
  absl::StatusOr<std::unique_ptr<TableReader>> OpenPart(int64_t begin, int64_t end,
                                                        int64_t first_line) const;
  // Where the data rows start: the byte after the header record, and its line.
  int64_t data_begin() const { return data_begin_; }
  int64_t data_begin_line() const { return data_begin_line_; }
  // The line on which the next row would start (after the last row: one past it).
  int64_t next_line() const { return csv_->next_line(); }

  // Next data row: true, false at the end, or an error (malformed CSV: the rest of the file
  // cannot be trusted).
  absl::StatusOr<bool> Next();
  // Whether the current row has as many fields as the header (blank padding tolerated).
  absl::Status CheckRowShape() const;

  // A schema column, looked up once by name so row access is an index (hot loop).
  struct Column {
    size_t schema_index;
  };
  Column ColumnNamed(std::string_view name) const;  // the name must be in the schema
  // The field of a column in this file's rows, when present (the hot loops read fields()).
  std::optional<size_t> FieldOf(Column column) const {
    return field_of_column_[column.schema_index];
  }
  const std::vector<std::string_view>& fields() const { return csv_->fields(); }
  size_t header_width() const { return header_width_; }
  // Whether the column is in this file (optional columns may be absent).
  bool Has(Column column) const { return field_of_column_[column.schema_index].has_value(); }

  // Typed access to the current row; a blank value (or an absent optional column) gives
  // nullopt unless the column is not nullable; a bad value gives an error naming file, line,
  // column and what was expected.
  absl::StatusOr<std::string_view> Id(Column column) const;
  std::string_view Text(Column column) const;  // "" when the column is absent
  absl::StatusOr<std::optional<Day>> Date(Column column) const;
  absl::StatusOr<std::optional<bool>> Bool(Column column) const;
  absl::StatusOr<std::optional<int64_t>> Count(Column column) const;
  absl::StatusOr<std::optional<double>> Number(Column column) const;

  // An error about the current row's value in `column`: "file:line:col: column: message".
  absl::Status ValueError(Column column, std::string_view message) const;

  int64_t line() const { return csv_->record_line(); }
  int64_t bytes_read() const { return csv_->bytes_read(); }
  const std::string& source_name() const { return csv_->source_name(); }

 private:
  TableReader(Table table, std::unique_ptr<csv::Reader> csv);
  TableReader(const TableReader& header, std::unique_ptr<csv::Reader> csv);
  absl::Status ReadHeader();
  // The trimmed text of a column, or nullopt when absent or blank; a blank value of a column
  // that is not nullable is an error.
  absl::StatusOr<std::optional<std::string_view>> Raw(Column column) const;
  absl::Status BadValue(Column column, std::string_view got) const;

  const TableSchema& schema_;
  std::unique_ptr<csv::Reader> csv_;
  // Field index in the file of each schema column (same order as schema_.columns).
  std::vector<std::optional<size_t>> field_of_column_;
  size_t header_width_ = 0;
  int64_t data_begin_ = 0;
  int64_t data_begin_line_ = 1;
};

}  // namespace churn::dataset
