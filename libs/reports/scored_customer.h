#pragma once
// A customer's signals with their assessment, and the at-risk list built from many.

#include <vector>

#include "scoring/engine.h"
#include "signals/customer_signals.h"

namespace churn::reports {

struct ScoredCustomer {
  CustomerSignals signals;
  scoring::Assessment assessment;
};

// Scores every customer and returns them in at-risk order (score desc, ARR desc, id asc).
std::vector<ScoredCustomer> ScoreAll(const scoring::RuleSet& rules,
                                     std::vector<CustomerSignals> customers);

// Sorts in at-risk order; stable and total, so output is deterministic.
void SortAtRisk(std::vector<ScoredCustomer>* customers);

}  // namespace churn::reports
