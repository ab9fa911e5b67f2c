#pragma once
// Calendar dates as day numbers (days since 1970-01-01, proleptic Gregorian, no time zones), and
// fast "YYYY-MM-DD" formatting for the tens of millions of dates the generator writes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace churn::demodata {

struct CivilDate {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
CivilDate CivilFromDays(int64_t day_number);

// Strict "YYYY-MM-DD" with a real calendar day; nullopt otherwise.
std::optional<int64_t> ParseIsoDate(std::string_view text);

// 0 = Monday ... 5 = Saturday, 6 = Sunday.
int DayOfWeek(int64_t day_number);

// Appends "YYYY-MM-DD" (years 0..9999).
void AppendIsoDate(int64_t day_number, std::string& out);

// Precomputed "YYYY-MM-DD" strings for a range of days; days outside it are formatted on the fly.
class DateTable {
 public:
  DateTable(int64_t first_day, int64_t last_day);

  void Append(int64_t day_number, std::string& out) const {
    if (day_number >= first_day_ && day_number <= last_day_) {
      out.append(text_.data() + (day_number - first_day_) * kDateLength, kDateLength);
    } else {
      AppendIsoDate(day_number, out);
    }
  }

 private:
  static constexpr int64_t kDateLength = 10;
  int64_t first_day_;
  int64_t last_day_;
  std::string text_;  // kDateLength characters per day, no separators
};

}  // namespace churn::demodata
