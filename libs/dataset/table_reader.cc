#include "dataset/table_reader.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "status/status_macros.h"

namespace churn::dataset {

TableReader::TableReader(Table table, std::unique_ptr<csv::Reader> csv)
    : schema_(SchemaOf(table)), csv_(std::move(csv)) {}

TableReader::TableReader(const TableReader& header, std::unique_ptr<csv::Reader> csv)
    : schema_(header.schema_),
      csv_(std::move(csv)),
      field_of_column_(header.field_of_column_),
      header_width_(header.header_width_) {}

absl::StatusOr<std::unique_ptr<TableReader>> TableReader::OpenPart(int64_t begin, int64_t end,
                                                                   int64_t first_line) const {
  CHURN_ASSIGN_OR_RETURN(auto csv,
                         csv::Reader::OpenFileRange(csv_->source_name(), begin, end, first_line));
  return std::unique_ptr<TableReader>(new TableReader(*this, std::move(csv)));
}

absl::StatusOr<std::unique_ptr<TableReader>> TableReader::Open(Table table,
                                                               const std::string& path) {
  CHURN_ASSIGN_OR_RETURN(auto csv, csv::Reader::OpenFile(path));
  std::unique_ptr<TableReader> reader(new TableReader(table, std::move(csv)));
  CHURN_RETURN_IF_ERROR(reader->ReadHeader());
  return reader;
}

absl::StatusOr<std::unique_ptr<TableReader>> TableReader::FromString(Table table, std::string text,
                                                                     std::string source_name) {
  std::unique_ptr<TableReader> reader(
      new TableReader(table, csv::Reader::FromString(std::move(text), std::move(source_name))));
  CHURN_RETURN_IF_ERROR(reader->ReadHeader());
  return reader;
}

absl::Status TableReader::ReadHeader() {
  CHURN_ASSIGN_OR_RETURN(bool has_header, csv_->Next());
  if (!has_header) {
    return csv::ErrorAt(csv_->source_name(), {1, 1},
                        absl::StrCat("empty file: expected a header row for the ",
                                     std::string(schema_.name), " table"));
  }
  const std::vector<std::string_view>& header = csv_->fields();
  header_width_ = header.size();
  data_begin_ = csv_->bytes_read();
  data_begin_line_ = csv_->next_line();
  field_of_column_.assign(schema_.columns.size(), std::nullopt);
  for (size_t field = 0; field < header.size(); ++field) {
    // Header names are matched case-insensitively and without surrounding blanks.
    const std::string name = absl::AsciiStrToLower(std::string(TrimBlanks(header[field])));
    for (size_t column = 0; column < schema_.columns.size(); ++column) {
      if (name == schema_.columns[column].name && !field_of_column_[column]) {
        field_of_column_[column] = field;
      }
    }
  }
  std::vector<std::string> missing;
  for (size_t column = 0; column < schema_.columns.size(); ++column) {
    if (schema_.columns[column].required && !field_of_column_[column]) {
      missing.emplace_back(schema_.columns[column].name);
    }
  }
  if (!missing.empty()) {
    std::vector<std::string> found;
    for (std::string_view name : header) found.emplace_back(name);
    return csv::ErrorAt(
        csv_->source_name(), {csv_->record_line(), 1},
        absl::StrCat("missing required column", missing.size() > 1 ? "s " : " ",
                     absl::StrJoin(missing, ", "), " for the ", std::string(schema_.name),
                     " table (header has: ", absl::StrJoin(found, ", "), ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> TableReader::Next() { return csv_->Next(); }

absl::Status TableReader::CheckRowShape() const {
  const std::vector<std::string_view>& fields = csv_->fields();
  const size_t width = fields.size();
  if (width == header_width_) return absl::OkStatus();
  // Trailing empty fields are tolerated (spreadsheets pad rows); anything else is a shape error.
  bool only_blank_padding = width > header_width_;
  for (size_t i = header_width_; only_blank_padding && i < width; ++i) {
    only_blank_padding = TrimBlanks(fields[i]).empty();
  }
  if (only_blank_padding) return absl::OkStatus();
  const size_t last_field = width == 0 ? 0 : std::min(width, header_width_) - 1;
  return csv::ErrorAt(csv_->source_name(), csv_->field_position(last_field),
                      absl::StrCat("expected ", header_width_, " fields as in the header, got ",
                                   width));
}

TableReader::Column TableReader::ColumnNamed(std::string_view name) const {
  for (size_t column = 0; column < schema_.columns.size(); ++column) {
    if (schema_.columns[column].name == name) return Column{column};
  }
  // A name outside the schema is a programming error in the loader, not bad input.
  std::abort();
}

absl::StatusOr<std::optional<std::string_view>> TableReader::Raw(Column column) const {
  const std::optional<size_t> field = field_of_column_[column.schema_index];
  if (!field) return std::nullopt;
  std::string_view text = TrimBlanks(csv_->fields()[*field]);
  if (!text.empty()) return text;
  if (schema_.columns[column.schema_index].nullable) return std::nullopt;
  return BadValue(column, "");
}

absl::Status TableReader::BadValue(Column column, std::string_view got) const {
  const ColumnSpec& spec = schema_.columns[column.schema_index];
  std::string shown = got.empty() ? "a blank value" : absl::StrCat("'", std::string(got.substr(0, 60)), "'");
  return ValueError(column, absl::StrCat("expected ", std::string(ColumnTypeExpectation(spec.type)),
                                         ", got ", shown));
}

absl::Status TableReader::ValueError(Column column, std::string_view message) const {
  const std::optional<size_t> field = field_of_column_[column.schema_index];
  const csv::Position position = field ? csv_->field_position(*field)
                                       : csv::Position{csv_->record_line(), 1};
  return csv::ErrorAt(csv_->source_name(), position,
                      absl::StrCat(std::string(schema_.columns[column.schema_index].name), ": ",
                                   std::string(message)));
}

absl::StatusOr<std::string_view> TableReader::Id(Column column) const {
  CHURN_ASSIGN_OR_RETURN(std::optional<std::string_view> raw, Raw(column));
  return raw.value_or(std::string_view());
}

std::string_view TableReader::Text(Column column) const {
  const std::optional<size_t> field = field_of_column_[column.schema_index];
  return field ? TrimBlanks(csv_->fields()[*field]) : std::string_view();
}

// The typed accessors share one shape: blank -> nullopt (or error), parse, else a bad value.
template <typename Value, typename Parser, typename BadValueFn>
static absl::StatusOr<std::optional<Value>> ParseColumn(
    const absl::StatusOr<std::optional<std::string_view>>& raw, Parser parse,
    BadValueFn&& bad_value) {
  CHURN_RETURN_IF_ERROR(raw.status());
  if (!raw->has_value()) return std::nullopt;
  std::optional<Value> value = parse(**raw);
  if (!value) return bad_value(**raw);
  return value;
}

absl::StatusOr<std::optional<Day>> TableReader::Date(Column column) const {
  return ParseColumn<Day>(Raw(column), ParseDate,
                          [&](std::string_view got) { return BadValue(column, got); });
}

absl::StatusOr<std::optional<bool>> TableReader::Bool(Column column) const {
  return ParseColumn<bool>(Raw(column), ParseBool,
                           [&](std::string_view got) { return BadValue(column, got); });
}

absl::StatusOr<std::optional<int64_t>> TableReader::Count(Column column) const {
  return ParseColumn<int64_t>(Raw(column), ParseCount,
                              [&](std::string_view got) { return BadValue(column, got); });
}

absl::StatusOr<std::optional<double>> TableReader::Number(Column column) const {
  return ParseColumn<double>(Raw(column), ParseNumber,
                             [&](std::string_view got) { return BadValue(column, got); });
}

}  // namespace churn::dataset
