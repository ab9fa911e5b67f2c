#pragma once
// churn_intent_30d (docs/PRODUCT.md "Signals"): per customer, the linked, analysed tickets of
// the last 30 days flagged with cancellation intent, whichever analyser produced them. Which
// customers a ticket counts for is CustomerLinkage's answer (an account's ticket counts for
// every subscription of the account, as tickets_30d does).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "dataset/value_parsers.h"
#include "tickets/customer_linkage.h"

namespace churn::tickets {

using ChurnIntentByCustomer = absl::flat_hash_map<std::string, int64_t>;

struct AnalysedTicket {
  std::string key_column;  // "account_id", "subscription_id" or "customer_id"
  std::string key;
  std::optional<dataset::Day> submitted;  // undated tickets are not counted: no window
  bool churn_intent = false;
};

// Whether a ticket submitted on `day` counts: [window_end - 30d, window_end], inclusive.
inline bool InChurnIntentWindow(dataset::Day day, dataset::Day window_end) {
  return day >= window_end - 30 && day <= window_end;
}

// Tickets submitted in [window_end - 30d, window_end], counted per customer_id.
ChurnIntentByCustomer CountChurnIntent(const std::vector<AnalysedTicket>& tickets,
                                       const std::vector<CustomerKeys>& customers,
                                       dataset::Day window_end);

// One pass over the linked ticket sets as ingest streams them (each ticket naming one customer,
// CustomerLinkage::NamedCustomer): which tickets are worth analysing, whom each analysed ticket
// counts for, and the resulting counts. The transport (streaming, analysing) is the caller's.
class ChurnIntentTally {
 public:
  ChurnIntentTally(const std::vector<CustomerKeys>& customers, dataset::Day window_end);

  // Whether a streamed ticket can count at all: linked to a customer, dated, inside the window.
  bool Admits(std::string_view customer_id, std::optional<dataset::Day> submitted) const;
  // Records one analysed ticket of a set keyed by `key_column`; returns the customers it counts
  // for (the customer brief shows the ticket with each of them).
  const std::vector<std::string>& Add(std::string_view key_column, std::string_view customer_id,
                                      std::optional<dataset::Day> submitted, bool churn_intent);

  const ChurnIntentByCustomer& intent() const { return intent_; }

 private:
  CustomerLinkage linkage_;
  dataset::Day window_end_;
  ChurnIntentByCustomer intent_;
};

}  // namespace churn::tickets
