#include "reports/scored_customer.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <utility>

namespace churn::reports {

std::vector<ScoredCustomer> ScoreAll(const scoring::RuleSet& rules,
                                     std::vector<CustomerSignals> customers) {
  std::vector<ScoredCustomer> scored;
  scored.reserve(customers.size());
  for (CustomerSignals& signals : customers) {
    scoring::Assessment assessment = scoring::ScoreCustomer(rules, signals);
    scored.push_back(ScoredCustomer{std::move(signals), std::move(assessment)});
  }
  customers = {};  // the moved-from rows are released before sorting
  SortAtRisk(&scored);
  return scored;
}

void SortAtRisk(std::vector<ScoredCustomer>* customers) {
  // Sorts positions, then moves each customer once along the permutation's cycles: no
  // temporary array of whole customers (std::stable_sort's buffer) and no repeated moves of
  // them while sorting.
  std::vector<ScoredCustomer>& c = *customers;
  std::vector<uint32_t> order(c.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&c](uint32_t a, uint32_t b) {
    return scoring::AtRiskBefore(c[a].assessment, c[a].signals.arr, c[b].assessment,
                                 c[b].signals.arr);
  });
  // Position i takes the customer now at order[i]; done[] marks positions already filled.
  std::vector<bool> done(c.size(), false);
  for (size_t start = 0; start < c.size(); ++start) {
    if (done[start] || order[start] == start) continue;
    ScoredCustomer held = std::move(c[start]);
    size_t at = start;
    while (order[at] != start) {
      c[at] = std::move(c[order[at]]);
      done[at] = true;
      at = order[at];
    }
    c[at] = std::move(held);
    done[at] = true;
  }
}

}  // namespace churn::reports
