#pragma once
// What the gateway reads from an ingest SnapshotInfo beyond the version.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "churn/v1/common.pb.h"
#include "dataset/value_parsers.h"

namespace churn::gateway {

// Churn event reason_code counts for the Drivers view, as ingest published them.
std::map<std::string, int64_t> ChurnReasonCounts(const v1::SnapshotInfo& snapshot);

// "YYYY-MM-DD" -> Day; nullopt for an empty or unparsable date.
std::optional<dataset::Day> WindowEnd(const std::string& date);

}  // namespace churn::gateway
