#include "dataset/value_parsers.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "absl/time/civil_time.h"

#include "gtest/gtest.h"

namespace churn::dataset {
namespace {

TEST(ParseDate, AcceptsDateWithOrWithoutTime) {
  const std::optional<Day> day = ParseDate("2024-12-31");
  ASSERT_TRUE(day);
  EXPECT_EQ(FormatDate(*day), "2024-12-31");
  EXPECT_EQ(ParseDate("2024-12-31 23:59:59"), day);
  EXPECT_EQ(ParseDate("2024-12-31T08:00:00Z"), day);
  EXPECT_EQ(ParseDate("2024-12-31 08:00"), day);
  EXPECT_EQ(ParseDate("2024-12-31 08:00:00.123"), day);
  EXPECT_EQ(ParseDate(" 2024-12-31 "), day);
  EXPECT_EQ(*ParseDate("1970-01-01"), 0);
  EXPECT_EQ(*ParseDate("2024-03-01") - *ParseDate("2024-02-28"), 2);  // leap year
}

TEST(ParseDate, RejectsWhatIsNotADate) {
  for (const char* text : {"", "2024-13-01", "2024-02-30", "2023-02-29", "24-12-31",
                           "2024/12/31", "2024-12-31x", "2024-12-31 25:00", "31-12-2024",
                           "2024-12-3", "2024-12-31 10:00:0"}) {
    EXPECT_FALSE(ParseDate(text)) << text;
  }
}

// The integer day arithmetic agrees with the calendar library on every day of five centuries,
// and rejects days past the end of each month (leap years included).
TEST(ParseDate, AgreesWithTheCalendarOnEveryDay) {
  for (absl::CivilDay day(1800, 1, 1); day < absl::CivilDay(2300, 1, 1); ++day) {
    char text[16];
    std::snprintf(text, sizeof(text), "%04d-%02d-%02d", static_cast<int>(day.year()), day.month(),
                  day.day());
    ASSERT_EQ(ParseDate(text), static_cast<Day>(day - absl::CivilDay(1970, 1, 1))) << text;
  }
  for (const char* text : {"2023-02-29", "2024-02-30", "2100-02-29", "2024-04-31", "2024-06-31",
                           "2024-09-31", "2024-11-31", "2024-12-32"}) {
    EXPECT_FALSE(ParseDate(text)) << text;
  }
  EXPECT_TRUE(ParseDate("2000-02-29"));
  EXPECT_TRUE(ParseDate("2024-02-29"));
}

// The inline fast path for plain "YYYY-MM-DD" and the general parser it falls back to.
using value_parsers_internal::ParseDateText;
using value_parsers_internal::ParsePlainDate;

TEST(ParsePlainDate, TakesExactlyTheTenByteForm) {
  EXPECT_EQ(ParsePlainDate("1970-01-01"), 0);
  EXPECT_EQ(ParsePlainDate("2024-12-31"), ParseDateText("2024-12-31"));
  EXPECT_EQ(ParsePlainDate("0000-03-01"), ParseDateText("0000-03-01"));
  EXPECT_EQ(ParsePlainDate("9999-12-31"), ParseDateText("9999-12-31"));
  // Leap days: every 4th year, not every 100th, every 400th.
  EXPECT_TRUE(ParsePlainDate("2024-02-29"));
  EXPECT_TRUE(ParsePlainDate("2000-02-29"));
  EXPECT_TRUE(ParsePlainDate("0000-02-29"));
  EXPECT_FALSE(ParsePlainDate("2023-02-29"));
  EXPECT_FALSE(ParsePlainDate("1900-02-29"));
  EXPECT_FALSE(ParsePlainDate("2100-02-29"));
  EXPECT_FALSE(ParsePlainDate("2024-02-30"));
  // Months and days out of range.
  for (const char* text : {"2024-00-10", "2024-13-10", "2024-99-10", "2024-01-00", "2024-01-32",
                           "2024-04-31", "2024-06-31", "2024-09-31", "2024-11-31", "2024-12-99"}) {
    EXPECT_FALSE(ParsePlainDate(text)) << text;
    EXPECT_FALSE(ParseDate(text)) << text;
  }
  // Other lengths are the general parser's, even when they are dates.
  for (const char* text : {"", "2024-12-3", " 2024-12-31", "2024-12-31 ", "2024-12-31 08:00",
                           "2024-12-31T08:00:00Z"}) {
    EXPECT_FALSE(ParsePlainDate(text)) << text;
  }
  EXPECT_EQ(ParseDate(" 2024-12-31"), ParsePlainDate("2024-12-31"));
  EXPECT_EQ(ParseDate("2024-12-31T08:00:00Z"), ParsePlainDate("2024-12-31"));
}

TEST(ParsePlainDate, RejectsAnyOtherByteInAnyPosition) {
  // '/' and ':' sit just below '0' and just above '9'; 0x80 and 0xFF are negative chars.
  const std::string valid = "2024-02-29";
  for (size_t i = 0; i < valid.size(); ++i) {
    for (const char c : {'/', ':', ' ', 'a', '-', '0', '\0', '\x80', '\xff', '+', '.'}) {
      std::string text = valid;
      text[i] = c;
      const std::optional<Day> plain = ParsePlainDate(text);
      // The fast path never accepts what the general parser rejects, nor disagrees with it.
      if (plain) {
        EXPECT_EQ(plain, ParseDateText(text)) << text;
      }
      EXPECT_EQ(ParseDate(text), ParseDateText(text)) << text;
      const bool digit_position = i != 4 && i != 7;
      const bool digit = c >= '0' && c <= '9';
      if (digit_position != digit) {
        EXPECT_FALSE(ParsePlainDate(text)) << i << " " << int{c};
      }
    }
  }
}

// ParseDate (fast path first) and the general parser agree on every day of five centuries.
TEST(ParsePlainDate, AgreesWithTheGeneralParserOnEveryDay) {
  for (absl::CivilDay day(1800, 1, 1); day < absl::CivilDay(2300, 1, 1); ++day) {
    char text[16];
    std::snprintf(text, sizeof(text), "%04d-%02d-%02d", static_cast<int>(day.year()), day.month(),
                  day.day());
    ASSERT_TRUE(ParsePlainDate(text)) << text;
    ASSERT_EQ(ParsePlainDate(text), ParseDateText(text)) << text;
  }
}

TEST(ParseBool, AcceptsTheCommonSpellings) {
  for (const char* text : {"True", "true", "TRUE", "1", "yes", "Yes", "y"}) {
    EXPECT_EQ(ParseBool(text), true) << text;
  }
  for (const char* text : {"False", "false", "FALSE", "0", "no", "No", "n"}) {
    EXPECT_EQ(ParseBool(text), false) << text;
  }
  for (const char* text : {"", "2", "maybe", "truee", "-1"}) EXPECT_FALSE(ParseBool(text)) << text;
}

TEST(ParseCount, AcceptsIntegersAndIntegralFloats) {
  EXPECT_EQ(ParseCount("12"), 12);
  EXPECT_EQ(ParseCount("12.0"), 12);
  EXPECT_EQ(ParseCount("12."), 12);
  EXPECT_EQ(ParseCount("-3"), -3);
  EXPECT_EQ(ParseCount("+4"), 4);
  EXPECT_FALSE(ParseCount("12.5"));
  EXPECT_FALSE(ParseCount("abc"));
  EXPECT_FALSE(ParseCount(""));
  EXPECT_FALSE(ParseCount("1 2"));
}

// Cells the inline fast path (1 to 18 plain digits) leaves to the general parser.
TEST(ParseCount, FallsBackForEverythingButPlainDigits) {
  EXPECT_EQ(ParseCount(" 7 "), 7);
  EXPECT_EQ(ParseCount("007"), 7);
  EXPECT_EQ(ParseCount("999999999999999999"), 999999999999999999);    // 18 digits: fast
  EXPECT_EQ(ParseCount("9223372036854775807"), 9223372036854775807);  // 19: general
  EXPECT_FALSE(ParseCount("9223372036854775808"));                    // overflows
  EXPECT_EQ(ParseCount("-0"), 0);
  EXPECT_FALSE(ParseCount("1e3"));
  EXPECT_FALSE(ParseCount("12a"));
  EXPECT_FALSE(ParseCount("+"));
}

TEST(ParseNumber, AcceptsFiniteNumbersOnly) {
  EXPECT_EQ(ParseNumber("27.5"), 27.5);
  EXPECT_EQ(ParseNumber("1e3"), 1000);
  EXPECT_EQ(ParseNumber("-2"), -2);
  EXPECT_FALSE(ParseNumber("nan"));
  EXPECT_FALSE(ParseNumber("inf"));
  EXPECT_FALSE(ParseNumber("1,5"));
  EXPECT_FALSE(ParseNumber(""));
}

// The inline fast path ("digits" or "digits.digits", up to 15 bytes) gives exactly what the
// general parser (std::from_chars) gives, over random cells of every length it takes and
// beyond, and leaves every other spelling to the general parser.
TEST(ParseNumber, FastPathEqualsTheGeneralParserBitForBit) {
  using value_parsers_internal::ParseNumberText;
  std::mt19937_64 random(17);
  std::uniform_int_distribution<int> length(1, 17);
  std::uniform_int_distribution<int> digit(0, 9);
  for (int i = 0; i < 200000; ++i) {
    std::string text;
    const int digits = length(random);
    const int point = std::uniform_int_distribution<int>(0, digits)(random);  // digits: none
    for (int d = 0; d < digits; ++d) {
      if (d == point && d > 0) text += '.';
      text += static_cast<char>('0' + digit(random));
    }
    const std::optional<double> fast = ParseNumber(text);
    const std::optional<double> general = ParseNumberText(text);
    ASSERT_TRUE(fast.has_value()) << text;
    ASSERT_TRUE(general.has_value()) << text;
    ASSERT_EQ(std::memcmp(&*fast, &*general, sizeof(double)), 0) << text;
  }
  for (const char* text : {"5.", ".5", "+3", "-0", "-2.5", " 4.0 ", "4.0\t", "1e1", "0.1",
                           "123456789012345", "1234567890123456", "99999999999999.9",
                           "0.00000000000001", "3.", "1..2", "1.2.3", "--1", "", "."}) {
    const std::optional<double> fast = ParseNumber(text);
    const std::optional<double> general = ParseNumberText(text);
    ASSERT_EQ(fast.has_value(), general.has_value()) << text;
    if (fast) {
      EXPECT_EQ(std::memcmp(&*fast, &*general, sizeof(double)), 0) << text;
    }
  }
  EXPECT_TRUE(std::signbit(*ParseNumber("-0")));
}

TEST(ParseBool, FastPathAgreesWithTheGeneralParser) {
  for (const char* text :
       {"True", "true", "False", "false", "1",     "0",     "TRUE", "fAlse", "t",     "F",
        "yes",  "No",   "on",    "OFF",   " True", "True ", "2",    "",      "Truth", "Falsy"}) {
    EXPECT_EQ(ParseBool(text), value_parsers_internal::ParseBoolText(text)) << text;
  }
}

}  // namespace
}  // namespace churn::dataset
