#pragma once
// Where ticket analysis feeds the signals: churn_intent_30d from the linked, analysed tickets
// (tickets::ChurnIntentTally) merged into the customers' signals before they are scored.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "signals/customer_signals.h"

namespace churn::signals {

// Raises each customer's churn_intent_30d to its count in `intent_by_customer` (customer_id ->
// flagged tickets); a signal already higher, or a customer without an entry, is kept.
void MergeChurnIntent(const absl::flat_hash_map<std::string, int64_t>& intent_by_customer,
                      std::vector<CustomerSignals>& customers);

}  // namespace churn::signals
