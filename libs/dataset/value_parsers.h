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

namespace value_parsers_internal {

constexpr bool IsLeapYear(int year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

constexpr int DaysInMonth(int year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to a valid proleptic Gregorian date, in integer arithmetic (no calendar
// library call on the hot path of every usage row).
constexpr int DaysFromCivil(int year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const int year_of_era = year - era * 400;
  const int day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

// Exactly "YYYY-MM-DD" (10 bytes, no blank, no time part) and a real date; nullopt otherwise,
// including for text ParseDateText would accept: the caller falls back to it.
inline std::optional<Day> ParsePlainDate(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  auto digit = [&text](size_t i) { return static_cast<unsigned>(text[i]) - unsigned{'0'}; };
  const unsigned y0 = digit(0), y1 = digit(1), y2 = digit(2), y3 = digit(3), m0 = digit(5),
                 m1 = digit(6), d0 = digit(8), d1 = digit(9);
  // One test for all eight digits and both dashes: no branch per byte.
  const int bad = (y0 > 9) + (y1 > 9) + (y2 > 9) + (y3 > 9) + (m0 > 9) + (m1 > 9) + (d0 > 9) +
                  (d1 > 9) + (text[4] != '-') + (text[7] != '-');
  if (bad != 0) return std::nullopt;
  const int year = static_cast<int>(y0 * 1000 + y1 * 100 + y2 * 10 + y3);
  const int month = static_cast<int>(m0 * 10 + m1);
  const int day = static_cast<int>(d0 * 10 + d1);
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return std::nullopt;
  return static_cast<Day>(DaysFromCivil(year, month, day));
}

// Every form ParseDate accepts (blanks around it, a time part), by the general rules.
std::optional<Day> ParseDateText(std::string_view text);

}  // namespace value_parsers_internal

// "YYYY-MM-DD", optionally followed by a time part (" HH:MM[:SS[.fff]]" or "THH:MM...").
// The time part is validated loosely and ignored: windows are whole calendar days.
// Inline for the plain form every usage row has; anything else goes to the general parser.
inline std::optional<Day> ParseDate(std::string_view text) {
  if (std::optional<Day> day = value_parsers_internal::ParsePlainDate(text)) return day;
  return value_parsers_internal::ParseDateText(text);
}
std::string FormatDate(Day day);

namespace value_parsers_internal {
// Every form ParseBool accepts, by the general rules.
std::optional<bool> ParseBoolText(std::string_view text);
}  // namespace value_parsers_internal

// A boolean cell: the words of settings::ParseBoolWord (true/false, 1/0, yes/no, on/off in any
// case) or one letter t/f, y/n; blanks around it are ignored. Inline for the spellings exports
// write on every row (True/False, true/false, 1/0); anything else goes to the general parser.
inline std::optional<bool> ParseBool(std::string_view text) {
  switch (text.size()) {
    case 1:
      if (text[0] == '1') return true;
      if (text[0] == '0') return false;
      break;
    case 4:
      if (text == "True" || text == "true") return true;
      break;
    case 5:
      if (text == "False" || text == "false") return false;
      break;
    default: break;
  }
  return value_parsers_internal::ParseBoolText(text);
}

namespace value_parsers_internal {
// Every form ParseCount accepts, by the general rules.
std::optional<int64_t> ParseCountText(std::string_view text);
}  // namespace value_parsers_internal

// A non-negative or negative integer; "12.0" is accepted (exports write counts as floats).
// Inline for the common cell, 1 to 18 plain digits (no blank, sign or point; cannot overflow).
inline std::optional<int64_t> ParseCount(std::string_view text) {
  if (!text.empty() && text.size() <= 18) {
    int64_t value = 0;
    size_t i = 0;
    for (; i < text.size(); ++i) {
      const unsigned digit = static_cast<unsigned char>(text[i]) - unsigned{'0'};
      if (digit > 9) break;
      value = value * 10 + digit;
    }
    if (i == text.size()) return value;
  }
  return value_parsers_internal::ParseCountText(text);
}

namespace value_parsers_internal {
// Every form ParseNumber accepts, by the general rules (std::from_chars).
std::optional<double> ParseNumberText(std::string_view text);

// Powers of ten a double holds exactly.
inline constexpr double kExactPowersOfTen[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6, 1e7,
                                               1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14};
}  // namespace value_parsers_internal

// A finite decimal number ("1e3" accepted, "nan"/"inf" rejected). Inline for the common cell,
// "digits" or "digits.digits" in at most 15 bytes: its digits as an integer below 2^53 and a
// power of ten up to 1e14 are both exact doubles, so their one division is the correctly
// rounded value, the same as std::from_chars gives. Anything else goes to the general parser.
inline std::optional<double> ParseNumber(std::string_view text) {
  if (!text.empty() && text.size() <= 15) {
    uint64_t digits = 0;
    int fraction_digits = -1;  // -1: no point yet
    size_t i = 0;
    for (; i < text.size(); ++i) {
      const unsigned digit = static_cast<unsigned char>(text[i]) - unsigned{'0'};
      if (digit <= 9) {
        digits = digits * 10 + digit;
        if (fraction_digits >= 0) ++fraction_digits;
      } else if (text[i] == '.' && fraction_digits < 0 && i > 0) {
        fraction_digits = 0;
      } else {
        break;
      }
    }
    if (i == text.size() && fraction_digits != 0) {
      const auto value = static_cast<double>(digits);
      return fraction_digits < 0
                 ? value
                 : value / value_parsers_internal::kExactPowersOfTen[fraction_digits];
    }
  }
  return value_parsers_internal::ParseNumberText(text);
}

// Surrounding spaces and tabs removed (inline: every cell of every row goes through it).
inline std::string_view TrimBlanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace churn::dataset
