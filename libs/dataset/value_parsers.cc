#include "dataset/value_parsers.h"

#include <charconv>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/time/civil_time.h"
#include "settings/bool_words.h"

namespace churn::dataset {
namespace {

using value_parsers_internal::DaysFromCivil;
using value_parsers_internal::DaysInMonth;

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

}  // namespace

namespace value_parsers_internal {

std::optional<Day> ParseDateText(std::string_view text) {
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

}  // namespace value_parsers_internal

std::string FormatDate(Day day) {
  const absl::CivilDay civil = absl::CivilDay(1970, 1, 1) + day;
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02d", static_cast<int>(civil.year()),
                civil.month(), civil.day());
  return buffer;
}

std::optional<bool> value_parsers_internal::ParseBoolText(std::string_view text) {
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

std::optional<int64_t> value_parsers_internal::ParseCountText(std::string_view text) {
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

std::optional<double> value_parsers_internal::ParseNumberText(std::string_view text) {
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
