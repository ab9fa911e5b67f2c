#pragma once
// CSV output that is safe to open in a spreadsheet: RFC 4180 quoting, and text cells that a
// spreadsheet would run as a formula (=, +, -, @, tab, CR) prefixed with a single quote.

#include <string>
#include <string_view>
#include <vector>

namespace churn::reports {

std::string SpreadsheetCsvField(std::string_view text);
// Numbers are written as they are (a leading '-' is a sign there, not a formula).
std::string CsvNumber(double value);
std::string CsvRow(const std::vector<std::string>& cells);  // cells already escaped

// Shortest text that reads back as the same double: deterministic, no locale.
std::string FormatNumber(double value);

}  // namespace churn::reports
