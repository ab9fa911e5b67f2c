#pragma once
// A small scored customer base for the viewsets tests, scored with the default rules.

#include <memory>
#include <string>
#include <vector>

#include "viewsets/view_set.h"
#include "scoring/rule_set.h"

namespace churn::viewsets::testing {

inline CustomerSignals Customer(std::string id, double arr, std::string tier, std::string country) {
  CustomerSignals s;
  s.customer_id = std::move(id);
  s.account_id = "A-" + s.customer_id;
  s.account_name = "Account " + s.customer_id;
  s.industry = tier == "Enterprise" ? "FinTech" : "EdTech";
  s.country = std::move(country);
  s.plan_tier = std::move(tier);
  s.arr = arr;
  return s;
}

// S-1 80 High, S-2 44 Medium, S-3/S-4 10 Low (S-4 churned, larger ARR), S-5 0 Low.
inline std::vector<reports::ScoredCustomer> SampleCustomers() {
  std::vector<CustomerSignals> signals;
  CustomerSignals high = Customer("S-1", 5000, "Enterprise", "US");
  high.usage_drop_pct = 0.6;
  high.tickets_30d = 6;
  high.churn_intent_30d = 1;
  signals.push_back(high);
  CustomerSignals medium = Customer("S-2", 1200, "Basic", "DE");
  medium.usage_drop_pct = 0.4;
  medium.errors_30d = 3;
  medium.is_trial = true;
  signals.push_back(medium);
  CustomerSignals low = Customer("S-3", 800, "Pro", "US");
  low.tickets_30d = 3;
  low.usage_drop_pct = 0.05;
  signals.push_back(low);
  CustomerSignals churned = Customer("S-4", 9000, "pro", "FR");
  churned.tickets_30d = 4;
  churned.churned = true;
  signals.push_back(churned);
  signals.push_back(Customer("S-5", 100, "Basic", "US"));
  // Shuffled on purpose: the ViewSet must sort.
  std::vector<reports::ScoredCustomer> scored;
  for (int i : {4, 2, 0, 3, 1}) {
    scored.push_back({signals[i], scoring::ScoreCustomer(scoring::DefaultRuleSet(), signals[i])});
  }
  return scored;
}

inline std::shared_ptr<const ViewSet> SampleViews(
    int64_t version = 7, absl::Time built_at = absl::FromUnixSeconds(1700000000)) {
  ViewSetInputs inputs;
  inputs.customers = SampleCustomers();
  inputs.usage_window_end = dataset::ParseDate("2024-12-31");
  inputs.support_window_end = dataset::ParseDate("2024-12-30");
  inputs.churn_reason_counts = {{"pricing", 2}, {"budget", 5}};
  inputs.snapshot_version = version;
  inputs.built_at = built_at;
  inputs.rules_sha256 = "abc";
  return ViewSet::Build(std::move(inputs));
}

}  // namespace churn::viewsets::testing
