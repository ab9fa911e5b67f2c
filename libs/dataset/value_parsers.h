#pragma once
// Lenient-but-exact parsers for the value formats real SaaS exports use.
// Each returns nullopt when the text is not a value of that type; callers report where.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace churn::dataset {

// Calendar dates as days since 1970-01-01, so windows are integer arithmetic.
using Day = int32_t;

// "YYYY-MM-DD", optionally followed by a time part (" HH:MM[:SS[.fff]]" or "THH:MM...").
// The time part is validated loosely and ignored: windows are whole calendar days.
std::optional<Day> ParseDate(std::string_view text);
std::string FormatDate(Day day);

// A boolean cell: the words of settings::ParseBoolWord (true/false, 1/0, yes/no, on/off in any
// case) or one letter t/f, y/n; blanks around it are ignored.
std::optional<bool> ParseBool(std::string_view text);

// A non-negative or negative integer; "12.0" is accepted (exports write counts as floats).
std::optional<int64_t> ParseCount(std::string_view text);

// A finite decimal number ("1e3" accepted, "nan"/"inf" rejected).
std::optional<double> ParseNumber(std::string_view text);

// Surrounding spaces and tabs removed (inline: every cell of every row goes through it).
inline std::string_view TrimBlanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace churn::dataset
