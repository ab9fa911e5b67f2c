#pragma once
// What changed between two snapshots' signals, customer by customer (by customer_id): the rows
// StreamSignals sends when a client already holds the base version's signals.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "signals/customer_signals.h"

namespace churn::snapshots {

struct SignalsDelta {
  // Positions in `current` of the customers whose signals differ from the base's or that are
  // new, in `current` order.
  std::vector<uint32_t> changed;
  // Ids of the base's customers that `current` no longer has, in base order.
  std::vector<std::string> removed_ids;
};

// Nullopt when either side repeats a customer id: a delta by id would be ambiguous.
std::optional<SignalsDelta> DiffSignals(const std::vector<CustomerSignals>& base,
                                        const std::vector<CustomerSignals>& current);

// DiffSignals for two sides known to hold the same, unique customer ids in the same order (the
// snapshot store knows when: Snapshot::same_customers_as_previous): row against row, no index by
// id. Nullopt when the sizes or ids do not line up after all.
std::optional<SignalsDelta> DiffAlignedSignals(const std::vector<CustomerSignals>& base,
                                               const std::vector<CustomerSignals>& current);

// DiffAlignedSignals when only the rows at `candidates` (ascending positions, each below both
// sizes) may differ, as the snapshot store knows after a change of tickets or churn events
// (Snapshot::changed_from_previous): only those rows are compared. Nullopt when the sizes differ.
std::optional<SignalsDelta> DiffAlignedSignalsAt(const std::vector<CustomerSignals>& base,
                                                 const std::vector<CustomerSignals>& current,
                                                 const std::vector<uint32_t>& candidates);

// Whether no customer id repeats.
bool UniqueCustomerIds(const std::vector<CustomerSignals>& customers);

}  // namespace churn::snapshots
