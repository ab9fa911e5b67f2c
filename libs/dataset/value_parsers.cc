#include "dataset/value_parsers.h"

#include <charconv>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/time/civil_time.h"
#include "settings/bool_words.h"

namespace churn::dataset {
namespace {

bool ParseDigits(std::string_view text, size_t pos, size_t count, int* out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

// Accepts " HH:MM", " HH:MM:SS" and a fractional second, with ' ' or 'T' as separator and an
// optional trailing 'Z'. The values are range-checked so garbage after a date is not silently
// accepted.
bool IsTimePart(std::string_view rest) {
  if (rest.empty()) return true;
  if (rest[0] != ' ' && rest[0] != 'T') return false;
  rest.remove_prefix(1);
  if (!rest.empty() && rest.back() == 'Z') rest.remove_suffix(1);
  int hour = 0, minute = 0, second = 0;
  if (rest.size() < 5 || !ParseDigits(rest, 0, 2, &hour) || rest[2] != ':' ||
      !ParseDigits(rest, 3, 2, &minute) || hour > 23 || minute > 59) {
    return false;
  }
  rest.remove_prefix(5);
  if (rest.empty()) return true;
  if (rest.size() < 3 || rest[0] != ':' || !ParseDigits(rest, 1, 2, &second) || second > 60) {
    return false;
  }
  rest.remove_prefix(3);
  if (rest.empty()) return true;
  if (rest[0] != '.' || rest.size() < 2) return false;
  for (size_t i = 1; i < rest.size(); ++i) {
    if (rest[i] < '0' || rest[i] > '9') return false;
  }
  return true;
}

bool IsLeapYear(int year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to a valid proleptic Gregorian date, in integer arithmetic (the hot path
// of every usage row: no calendar library call).
int DaysFromCivil(int year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const int year_of_era = year - era * 400;
  const int day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

}  // namespace

std::optional<Day> ParseDate(std::string_view text) {
  text = TrimBlanks(text);
  int year = 0, month = 0, day = 0;
  if (text.size() < 10 || !ParseDigits(text, 0, 4, &year) || text[4] != '-' ||
      !ParseDigits(text, 5, 2, &month) || text[7] != '-' || !ParseDigits(text, 8, 2, &day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) ||
      !IsTimePart(text.substr(10))) {
    return std::nullopt;
  }
  return static_cast<Day>(DaysFromCivil(year, month, day));
}

std::string FormatDate(Day day) {
  const absl::CivilDay civil = absl::CivilDay(1970, 1, 1) + day;
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02d", static_cast<int>(civil.year()),
                civil.month(), civil.day());
  return buffer;
}

std::optional<bool> ParseBool(std::string_view text) {
  text = TrimBlanks(text);
  if (std::optional<bool> value = settings::ParseBoolWord(text)) return value;
  // Exports also write flags as one letter (t/f, y/n); settings never do.
  if (text.size() != 1) return std::nullopt;
  switch (absl::ascii_tolower(text[0])) {
    case 't':
    case 'y': return true;
    case 'f':
    case 'n': return false;
    default: return std::nullopt;
  }
}

std::optional<int64_t> ParseCount(std::string_view text) {
  // The common cell first: 1 to 18 plain digits (no blank, sign or point; cannot overflow).
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
  text = TrimBlanks(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr == text.data()) return std::nullopt;
  if (ptr == end) return value;
  // "12.0" / "12." from exports that store counts as floats: only zeros may follow the point.
  if (*ptr != '.') return std::nullopt;
  for (const char* p = ptr + 1; p < end; ++p) {
    if (*p != '0') return std::nullopt;
  }
  return value;
}

std::optional<double> ParseNumber(std::string_view text) {
  text = TrimBlanks(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

}  // namespace churn::dataset
