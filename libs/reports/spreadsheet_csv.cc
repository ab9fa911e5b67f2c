#include "reports/spreadsheet_csv.h"

#include <charconv>

#include "absl/strings/str_join.h"

namespace churn::reports {

std::string SpreadsheetCsvField(std::string_view text) {
  std::string cell;
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                        text[0] == '\t' || text[0] == '\r')) {
    cell.push_back('\'');
  }
  cell.append(text);
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

std::string FormatNumber(double value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return ec == std::errc() ? std::string(buffer, end) : std::string("0");
}

std::string CsvNumber(double value) { return FormatNumber(value); }

std::string CsvRow(const std::vector<std::string>& cells) {
  return absl::StrJoin(cells, ",") + "\n";
}

}  // namespace churn::reports
