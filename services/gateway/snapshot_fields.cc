#include "snapshot_fields.h"

namespace churn::gateway {

std::map<std::string, int64_t> ChurnReasonCounts(const v1::SnapshotInfo& snapshot) {
  return {snapshot.churn_reason_counts().begin(), snapshot.churn_reason_counts().end()};
}

std::optional<dataset::Day> WindowEnd(const std::string& date) {
  if (date.empty()) return std::nullopt;
  return dataset::ParseDate(date);
}

}  // namespace churn::gateway
