#include "snapshots/signals_delta.h"

#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace churn::snapshots {

std::optional<SignalsDelta> DiffSignals(const std::vector<CustomerSignals>& base,
                                        const std::vector<CustomerSignals>& current) {
  absl::flat_hash_map<std::string_view, uint32_t> base_position;
  base_position.reserve(base.size());
  for (uint32_t i = 0; i < base.size(); ++i) {
    if (!base_position.try_emplace(base[i].customer_id, i).second) return std::nullopt;
  }
  SignalsDelta delta;
  std::vector<uint8_t> kept(base.size(), 0);
  absl::flat_hash_set<std::string_view> new_ids;
  for (uint32_t i = 0; i < current.size(); ++i) {
    const CustomerSignals& customer = current[i];
    auto it = base_position.find(customer.customer_id);
    if (it == base_position.end()) {
      if (!new_ids.insert(customer.customer_id).second) return std::nullopt;
      delta.changed.push_back(i);
      continue;
    }
    if (kept[it->second]++ != 0) return std::nullopt;  // the id again in `current`
    if (!(base[it->second] == customer)) delta.changed.push_back(i);
  }
  for (uint32_t i = 0; i < base.size(); ++i) {
    if (kept[i] == 0) delta.removed_ids.push_back(base[i].customer_id);
  }
  return delta;
}

std::optional<SignalsDelta> DiffAlignedSignals(const std::vector<CustomerSignals>& base,
                                               const std::vector<CustomerSignals>& current) {
  if (base.size() != current.size()) return std::nullopt;
  SignalsDelta delta;
  for (uint32_t i = 0; i < current.size(); ++i) {
    if (base[i].customer_id != current[i].customer_id) return std::nullopt;
    if (!(base[i] == current[i])) delta.changed.push_back(i);
  }
  return delta;
}

std::optional<SignalsDelta> DiffAlignedSignalsAt(const std::vector<CustomerSignals>& base,
                                                 const std::vector<CustomerSignals>& current,
                                                 const std::vector<uint32_t>& candidates) {
  if (base.size() != current.size()) return std::nullopt;
  SignalsDelta delta;
  for (const uint32_t i : candidates) {
    if (i >= current.size()) return std::nullopt;
    if (!(base[i] == current[i])) delta.changed.push_back(i);
  }
  return delta;
}

bool UniqueCustomerIds(const std::vector<CustomerSignals>& customers) {
  absl::flat_hash_set<std::string_view> seen;
  seen.reserve(customers.size());
  for (const CustomerSignals& customer : customers) {
    if (!seen.insert(customer.customer_id).second) return false;
  }
  return true;
}

}  // namespace churn::snapshots
