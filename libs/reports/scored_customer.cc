#include "reports/scored_customer.h"

#include <algorithm>

namespace churn::reports {

std::vector<ScoredCustomer> ScoreAll(const scoring::RuleSet& rules,
                                     std::vector<CustomerSignals> customers) {
  std::vector<ScoredCustomer> scored;
  scored.reserve(customers.size());
  for (CustomerSignals& signals : customers) {
    scoring::Assessment assessment = scoring::ScoreCustomer(rules, signals);
    scored.push_back(ScoredCustomer{std::move(signals), std::move(assessment)});
  }
  SortAtRisk(&scored);
  return scored;
}

void SortAtRisk(std::vector<ScoredCustomer>* customers) {
  std::stable_sort(
      customers->begin(), customers->end(), [](const ScoredCustomer& a, const ScoredCustomer& b) {
        return scoring::AtRiskBefore(a.assessment, a.signals.arr, b.assessment, b.signals.arr);
      });
}

}  // namespace churn::reports
