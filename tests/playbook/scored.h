#pragma once
// Customers scored with the default rules, for the playbook tests.

#include <string>

#include "scoring/rule_set.h"
#include "reports/scored_customer.h"

namespace churn::playbook::testing {

inline CustomerSignals Signals(std::string id) {
  CustomerSignals s;
  s.customer_id = std::move(id);
  s.account_id = "A-" + s.customer_id;
  s.account_name = "Acme";
  s.plan_tier = "Pro";
  s.arr = 12000;
  return s;
}

inline reports::ScoredCustomer Score(const CustomerSignals& signals) {
  return {signals, scoring::ScoreCustomer(scoring::DefaultRuleSet(), signals)};
}

// The first worked example of docs/PRODUCT.md "Scoring rules": drop 0.60 + 6 tickets + intent
// -> 80 High.
inline reports::ScoredCustomer WorkedExampleHigh() {
  CustomerSignals s = Signals("S-1");
  s.usage_prev30d = 200;
  s.usage_30d = 80;
  s.usage_drop_pct = 0.6;
  s.tickets_30d = 6;
  s.churn_intent_30d = 1;
  return Score(s);
}

}  // namespace churn::playbook::testing
