#include "tickets/churn_intent_linkage.h"

namespace churn::tickets {

absl::flat_hash_map<std::string, int64_t> CountChurnIntent(
    const std::vector<AnalysedTicket>& tickets, const std::vector<CustomerKeys>& customers,
    dataset::Day window_end) {
  // Flagged tickets per key first, so each customer is visited once.
  absl::flat_hash_map<std::string, int64_t> flagged_by_account, flagged_by_customer;
  for (const AnalysedTicket& ticket : tickets) {
    if (!ticket.churn_intent || !ticket.submitted || ticket.key.empty()) continue;
    if (!InChurnIntentWindow(*ticket.submitted, window_end)) continue;
    if (ticket.key_column == "account_id") {
      ++flagged_by_account[ticket.key];
    } else if (ticket.key_column == "subscription_id" || ticket.key_column == "customer_id") {
      ++flagged_by_customer[ticket.key];
    }
  }
  absl::flat_hash_map<std::string, int64_t> intent;
  for (const CustomerKeys& customer : customers) {
    int64_t count = 0;
    if (auto it = flagged_by_account.find(customer.account_id); it != flagged_by_account.end()) {
      count += it->second;
    }
    if (auto it = flagged_by_customer.find(customer.customer_id);
        it != flagged_by_customer.end()) {
      count += it->second;
    }
    if (count > 0) intent[customer.customer_id] = count;
  }
  return intent;
}

}  // namespace churn::tickets
