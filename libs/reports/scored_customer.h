#pragma once
// A customer's signals with their assessment, and the at-risk list built from many.

#include <cstdint>
#include <optional>
#include <vector>

#include "reports/second_opinion.h"
#include "scoring/engine.h"
#include "signals/customer_signals.h"
#include "signals/out_of_line_optional.h"

namespace churn::reports {

struct ScoredCustomer {
  CustomerSignals signals;
  scoring::Assessment assessment;
  // The trained model's opinion when scoring has a model and the signals carried long views.
  // Out of line: absent for most customers, and a million inline optionals cost ~80 MB.
  OutOfLineOptional<SecondOpinion> second_opinion = std::nullopt;
};

// Scores every customer and returns them in at-risk order (score desc, ARR desc, id asc).
std::vector<ScoredCustomer> ScoreAll(const scoring::RuleSet& rules,
                                     std::vector<CustomerSignals> customers);

// The rows of customers scored apart from their signals: signals[to_score[k]] with
// assessments[k] and opinions[k] (opinions empty: none), in to_score's order, which must ascend
// (the signals not named are dropped). The inputs are released as they are taken, so they and
// the rows are never all resident at once.
std::vector<ScoredCustomer> JoinScored(std::vector<CustomerSignals> signals,
                                       const std::vector<uint32_t>& to_score,
                                       std::vector<scoring::Assessment> assessments,
                                       std::vector<std::optional<SecondOpinion>> opinions);

// Sorts in at-risk order; stable and total, so output is deterministic.
void SortAtRisk(std::vector<ScoredCustomer>* customers);

}  // namespace churn::reports
