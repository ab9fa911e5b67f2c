#pragma once
// Instants as RFC 3339 text in UTC ("2024-03-01T12:00:00Z"), in the three
// precisions the project writes: whole seconds (what SQLite files store),
// milliseconds (log lines) and as many fractional digits as the instant has
// (what Ollama writes).

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace churn::timefmt {

// "2024-03-01T12:00:00Z": the fraction is dropped (truncated toward the past).
std::string FormatRfc3339Seconds(absl::Time time);
// "2024-03-01T12:00:00.120Z": always three fractional digits.
std::string FormatRfc3339Millis(absl::Time time);
// "2024-03-01T12:00:00.12Z": only the fractional digits that are not zero (none
// for a whole second), up to nine.
std::string FormatRfc3339(absl::Time time);

// The whole-second form FormatRfc3339Seconds writes, nothing else; the error
// says what is wrong.
absl::StatusOr<absl::Time> ParseRfc3339Seconds(std::string_view text);

}  // namespace churn::timefmt
