#pragma once
// Small views for the gateway's stream tests: customers with a few signals set, put into views
// unscored (the tests compare signals, not assessments).

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "signals/customer_signals.h"
#include "viewsets/view_set.h"

namespace churn::gateway::testing {

inline CustomerSignals Customer(const std::string& id, int64_t tickets, int64_t intent = 0) {
  CustomerSignals customer;
  customer.customer_id = id;
  customer.account_id = "A" + id;
  customer.tickets_30d = tickets;
  customer.churn_intent_30d = intent;
  return customer;
}

inline std::shared_ptr<const viewsets::ViewSet> UnscoredViewsOf(
    const std::vector<CustomerSignals>& customers) {
  viewsets::ViewSetInputs inputs;
  for (const CustomerSignals& customer : customers) inputs.customers.push_back({customer, {}});
  return viewsets::ViewSet::Build(std::move(inputs));
}

}  // namespace churn::gateway::testing
