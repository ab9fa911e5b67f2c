#include "timefmt/rfc3339.h"

#include <gtest/gtest.h>

namespace churn::timefmt {
namespace {

absl::Time At(int64_t seconds, int64_t nanos = 0) {
  return absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
}

constexpr int64_t k20240301Noon = 1709294400;  // 2024-03-01T12:00:00Z

TEST(Rfc3339Test, WholeSecondsDropTheFraction) {
  EXPECT_EQ(FormatRfc3339Seconds(At(k20240301Noon)), "2024-03-01T12:00:00Z");
  EXPECT_EQ(FormatRfc3339Seconds(At(k20240301Noon, 999'999'999)), "2024-03-01T12:00:00Z");
  EXPECT_EQ(FormatRfc3339Seconds(absl::UnixEpoch()), "1970-01-01T00:00:00Z");
  // Before the epoch the fraction still goes toward the past, not toward zero.
  EXPECT_EQ(FormatRfc3339Seconds(At(-1, 500'000'000)), "1969-12-31T23:59:59Z");
}

TEST(Rfc3339Test, LeapDayAndYearEnd) {
  EXPECT_EQ(FormatRfc3339Seconds(At(1709164800)), "2024-02-29T00:00:00Z");
  EXPECT_EQ(FormatRfc3339Seconds(At(1735689599)), "2024-12-31T23:59:59Z");
}

TEST(Rfc3339Test, MillisecondsAlwaysHaveThreeDigits) {
  EXPECT_EQ(FormatRfc3339Millis(At(k20240301Noon)), "2024-03-01T12:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Millis(At(k20240301Noon, 120'000'000)), "2024-03-01T12:00:00.120Z");
  EXPECT_EQ(FormatRfc3339Millis(At(k20240301Noon, 999'999'999)), "2024-03-01T12:00:00.999Z");
}

TEST(Rfc3339Test, FullPrecisionWritesOnlyTheDigitsThatAreNotZero) {
  EXPECT_EQ(FormatRfc3339(At(k20240301Noon)), "2024-03-01T12:00:00Z");
  EXPECT_EQ(FormatRfc3339(At(k20240301Noon, 120'000'000)), "2024-03-01T12:00:00.12Z");
  EXPECT_EQ(FormatRfc3339(At(k20240301Noon, 1)), "2024-03-01T12:00:00.000000001Z");
}

TEST(Rfc3339Test, ParsesWhatItWrites) {
  for (absl::Time time : {absl::UnixEpoch(), At(k20240301Noon), At(1709164800), At(-86400)}) {
    absl::StatusOr<absl::Time> parsed = ParseRfc3339Seconds(FormatRfc3339Seconds(time));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, time);
  }
}

TEST(Rfc3339Test, RefusesOtherSpellings) {
  for (const char *text :
       {"", "2024-03-01", "2024-03-01 12:00:00Z", "2024-03-01T12:00:00", "2024-03-01T12:00:00.5Z",
        "2024-03-01T12:00:00+01:00", "2024-02-30T12:00:00Z", "2024-03-01T12:00:00Z trailing"}) {
    absl::StatusOr<absl::Time> parsed = ParseRfc3339Seconds(text);
    EXPECT_FALSE(parsed.ok()) << text;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << text;
      EXPECT_FALSE(parsed.status().message().empty()) << text;
    }
  }
}

}  // namespace
}  // namespace churn::timefmt
