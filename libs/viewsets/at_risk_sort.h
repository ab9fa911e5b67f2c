#pragma once
// The fields the at-risk list sorts by (their names and parsing: at_risk_query.h).

#include <array>

namespace churn::viewsets {

enum class AtRiskSort {
  kRiskScore,  // the at-risk order: risk_score desc, arr desc, customer_id asc
  kArr,
  kCustomerId,
  kAccountName,
  kPlanTier,
  kUsageDropPct,
  kTickets30d,
  kScoreChange30d,  // from the risk movements; customers without a change come last
};
inline constexpr int kAtRiskSortCount = 8;
inline constexpr std::array<AtRiskSort, kAtRiskSortCount> kAllAtRiskSorts = {
    AtRiskSort::kRiskScore,    AtRiskSort::kArr,          AtRiskSort::kCustomerId,
    AtRiskSort::kAccountName,  AtRiskSort::kPlanTier,     AtRiskSort::kUsageDropPct,
    AtRiskSort::kTickets30d,   AtRiskSort::kScoreChange30d};

}  // namespace churn::viewsets
