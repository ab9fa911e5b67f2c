#pragma once
// churn_intent_30d (docs/PRODUCT.md "Signals"): per customer, the linked, analysed tickets of
// the last 30 days flagged with cancellation intent, whichever analyser produced them.
//
// A ticket reaches a customer only through a real key column. account_id links it to every
// subscription of the account (as tickets_30d counts the account's tickets for each of them);
// subscription_id and customer_id link it to that one customer.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "dataset/value_parsers.h"

namespace churn::tickets {

struct AnalysedTicket {
  std::string key_column;  // "account_id", "subscription_id" or "customer_id"
  std::string key;
  std::optional<dataset::Day> submitted;  // undated tickets are not counted: no window
  bool churn_intent = false;
};

struct CustomerKeys {
  std::string customer_id;
  std::string account_id;
};

// Whether a ticket submitted on `day` counts: [window_end - 30d, window_end], inclusive.
inline bool InChurnIntentWindow(dataset::Day day, dataset::Day window_end) {
  return day >= window_end - 30 && day <= window_end;
}

// Tickets submitted in [window_end - 30d, window_end], counted per customer_id.
absl::flat_hash_map<std::string, int64_t> CountChurnIntent(
    const std::vector<AnalysedTicket>& tickets, const std::vector<CustomerKeys>& customers,
    dataset::Day window_end);

}  // namespace churn::tickets
