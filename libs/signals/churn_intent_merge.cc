#include "signals/churn_intent_merge.h"

#include <algorithm>

namespace churn::signals {

void MergeChurnIntent(const absl::flat_hash_map<std::string, int64_t>& intent_by_customer,
                      std::vector<CustomerSignals>& customers) {
  if (intent_by_customer.empty()) return;
  for (CustomerSignals& customer : customers) {
    auto it = intent_by_customer.find(customer.customer_id);
    if (it != intent_by_customer.end()) {
      customer.churn_intent_30d = std::max(customer.churn_intent_30d, it->second);
    }
  }
}

}  // namespace churn::signals
