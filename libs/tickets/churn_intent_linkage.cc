#include "tickets/churn_intent_linkage.h"

namespace churn::tickets {
namespace {

bool CountsInWindow(std::optional<dataset::Day> submitted, dataset::Day window_end) {
  return submitted && InChurnIntentWindow(*submitted, window_end);
}

}  // namespace

ChurnIntentByCustomer CountChurnIntent(const std::vector<AnalysedTicket>& tickets,
                                       const std::vector<CustomerKeys>& customers,
                                       dataset::Day window_end) {
  const CustomerLinkage linkage(customers);
  ChurnIntentByCustomer intent;
  for (const AnalysedTicket& ticket : tickets) {
    if (!ticket.churn_intent || !CountsInWindow(ticket.submitted, window_end)) continue;
    for (const std::string& customer : linkage.CustomersOf(ticket.key_column, ticket.key)) {
      ++intent[customer];
    }
  }
  return intent;
}

ChurnIntentTally::ChurnIntentTally(const std::vector<CustomerKeys>& customers,
                                   dataset::Day window_end)
    : linkage_(customers), window_end_(window_end) {}

bool ChurnIntentTally::Admits(std::string_view customer_id,
                              std::optional<dataset::Day> submitted) const {
  return !customer_id.empty() && CountsInWindow(submitted, window_end_);
}

const std::vector<std::string>& ChurnIntentTally::Add(std::string_view key_column,
                                                      std::string_view customer_id,
                                                      std::optional<dataset::Day> submitted,
                                                      bool churn_intent) {
  const std::vector<std::string>& customers = linkage_.CustomersNamedBy(key_column, customer_id);
  if (churn_intent && CountsInWindow(submitted, window_end_)) {
    for (const std::string& customer : customers) ++intent_[customer];
  }
  return customers;
}

}  // namespace churn::tickets
