#include "demodata/calendar.h"

namespace churn::demodata {

// Howard Hinnant's days_from_civil / civil_from_days (public domain), exact for all int64 years
// of interest.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;
}

CivilDate CivilFromDays(int64_t day_number) {
  day_number += 719468;
  const int64_t era = (day_number >= 0 ? day_number : day_number - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(day_number - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned shifted_month = (5 * day_of_year + 2) / 153;  // March = 0
  const unsigned day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  const unsigned month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  const int64_t year = static_cast<int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
  return {year, month, day};
}

std::optional<int64_t> ParseIsoDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int fields[3] = {0, 0, 0};
  const size_t starts[3] = {0, 5, 8};
  const size_t lengths[3] = {4, 2, 2};
  for (int f = 0; f < 3; ++f) {
    for (size_t i = starts[f]; i < starts[f] + lengths[f]; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      fields[f] = fields[f] * 10 + (text[i] - '0');
    }
  }
  const auto month = static_cast<unsigned>(fields[1]);
  const auto day = static_cast<unsigned>(fields[2]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  const int64_t day_number = DaysFromCivil(fields[0], month, day);
  // Rejects 2023-02-30 and friends: a real date survives the round trip unchanged.
  const CivilDate check = CivilFromDays(day_number);
  if (check.month != month || check.day != day) return std::nullopt;
  return day_number;
}

int DayOfWeek(int64_t day_number) {
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  const int64_t shifted = (day_number + 3) % 7;
  return static_cast<int>(shifted < 0 ? shifted + 7 : shifted);
}

void AppendIsoDate(int64_t day_number, std::string& out) {
  const CivilDate date = CivilFromDays(day_number);
  const int64_t year = date.year < 0 ? 0 : (date.year > 9999 ? 9999 : date.year);
  char text[10] = {static_cast<char>('0' + year / 1000),
                   static_cast<char>('0' + year / 100 % 10),
                   static_cast<char>('0' + year / 10 % 10),
                   static_cast<char>('0' + year % 10),
                   '-',
                   static_cast<char>('0' + date.month / 10),
                   static_cast<char>('0' + date.month % 10),
                   '-',
                   static_cast<char>('0' + date.day / 10),
                   static_cast<char>('0' + date.day % 10)};
  out.append(text, sizeof(text));
}

DateTable::DateTable(int64_t first_day, int64_t last_day)
    : first_day_(first_day), last_day_(last_day < first_day ? first_day - 1 : last_day) {
  text_.reserve(static_cast<size_t>((last_day_ - first_day_ + 1) * kDateLength));
  for (int64_t day = first_day_; day <= last_day_; ++day) AppendIsoDate(day, text_);
}

}  // namespace churn::demodata
