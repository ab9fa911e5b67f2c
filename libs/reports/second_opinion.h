#pragma once
// A trained model's second opinion of one customer as the gateway holds it beside the rules'
// assessment: what scoring answered (libs/churnmodel computes it there; the gateway never runs
// the model). Shown in the customer brief; the rule score stays the ranking.

#include <optional>
#include <string>
#include <vector>

namespace churn::reports {

struct SecondOpinionReason {
  std::string feature;          // the model's feature name
  std::optional<double> value;  // the customer's value; absent when unknown
  double contribution = 0;      // log-odds; > 0 raises the probability
  std::string sentence;         // in plain language
};

struct SecondOpinion {
  std::string label;  // "second opinion (trained model)"
  double churn_probability = 0;
  int horizon_days = 0;
  std::vector<SecondOpinionReason> top_contributions;  // largest first
};

}  // namespace churn::reports
