#include "timefmt/rfc3339.h"

#include "absl/status/status.h"

namespace churn::timefmt {
namespace {

constexpr char kSecondsFormat[] = "%Y-%m-%dT%H:%M:%SZ";

}  // namespace

std::string FormatRfc3339Seconds(absl::Time time) {
  return absl::FormatTime(kSecondsFormat, time, absl::UTCTimeZone());
}

std::string FormatRfc3339Millis(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
}

std::string FormatRfc3339(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", time, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseRfc3339Seconds(std::string_view text) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(kSecondsFormat, std::string(text), &time, &error)) {
    return absl::InvalidArgumentError(error);
  }
  return time;
}

}  // namespace churn::timefmt
