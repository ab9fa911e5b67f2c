#include "riskhistory/fired_rules_codec.h"

namespace churn::riskhistory {

std::string PackRuleIds(const std::vector<int64_t>& ids) {
  std::string packed;
  for (int64_t id : ids) {
    uint64_t value = static_cast<uint64_t>(id);
    do {
      uint8_t byte = value & 0x7f;
      value >>= 7;
      if (value != 0) byte |= 0x80;
      packed.push_back(static_cast<char>(byte));
    } while (value != 0);
  }
  return packed;
}

absl::StatusOr<std::vector<int64_t>> UnpackRuleIds(std::string_view packed) {
  std::vector<int64_t> ids;
  uint64_t value = 0;
  int shift = 0;
  for (char c : packed) {
    const uint8_t byte = static_cast<uint8_t>(c);
    if (shift > 56) return absl::DataLossError("fired rules: varint longer than 9 bytes");
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (byte & 0x80) {
      shift += 7;
      continue;
    }
    ids.push_back(static_cast<int64_t>(value));
    value = 0;
    shift = 0;
  }
  if (shift != 0) return absl::DataLossError("fired rules: truncated varint");
  return ids;
}

}  // namespace churn::riskhistory
