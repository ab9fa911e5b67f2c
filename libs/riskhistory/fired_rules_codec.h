#pragma once
// The compact form of an assessment's fired rules in the risk history: each rule id is interned
// once (a small integer per rule name) and an assessment stores its fired rules as those
// integers, one unsigned LEB128 varint each, in rule order. A typical row holds 1-4 bytes.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace churn::riskhistory {

std::string PackRuleIds(const std::vector<int64_t>& ids);  // ids must be >= 0

// DataLoss for a truncated or over-long varint.
absl::StatusOr<std::vector<int64_t>> UnpackRuleIds(std::string_view packed);

}  // namespace churn::riskhistory
