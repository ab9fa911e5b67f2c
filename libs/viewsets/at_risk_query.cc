#include "viewsets/at_risk_query.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace churn::viewsets {
namespace {

struct SortName {
  AtRiskSort sort;
  std::string_view name;
  bool naturally_descending;
};

constexpr SortName kSortNames[] = {
    {AtRiskSort::kRiskScore, "risk_score", true},
    {AtRiskSort::kArr, "arr", true},
    {AtRiskSort::kCustomerId, "customer_id", false},
    {AtRiskSort::kAccountName, "account_name", false},
    {AtRiskSort::kPlanTier, "plan_tier", false},
    {AtRiskSort::kUsageDropPct, "usage_drop_pct", true},
    {AtRiskSort::kTickets30d, "tickets_30d", true},
    {AtRiskSort::kScoreChange30d, "score_change_30d", true},
};

const SortName& Entry(AtRiskSort sort) {
  for (const SortName& entry : kSortNames) {
    if (entry.sort == sort) return entry;
  }
  return kSortNames[0];
}

// -1, 0 or 1 comparing a and b on the sort field, ascending.
int CompareOn(AtRiskSort sort, const reports::ScoredCustomer& a, const reports::ScoredCustomer& b) {
  auto three_way = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (sort) {
    case AtRiskSort::kRiskScore: return three_way(a.assessment.risk_score, b.assessment.risk_score);
    case AtRiskSort::kArr: return three_way(a.signals.arr, b.signals.arr);
    case AtRiskSort::kCustomerId: return three_way(a.signals.customer_id, b.signals.customer_id);
    case AtRiskSort::kAccountName: return three_way(a.signals.account_name, b.signals.account_name);
    case AtRiskSort::kPlanTier: return three_way(a.signals.plan_tier, b.signals.plan_tier);
    case AtRiskSort::kUsageDropPct:
      return three_way(a.signals.usage_drop_pct, b.signals.usage_drop_pct);
    case AtRiskSort::kTickets30d: return three_way(a.signals.tickets_30d, b.signals.tickets_30d);
    case AtRiskSort::kScoreChange30d: return 0;  // sorted by ScoreChangeOf, see QueryAtRisk
  }
  return 0;
}

std::optional<int> ScoreChangeOf(const reports::ScoredCustomer& customer,
                                 const riskhistory::RiskMovements* movements) {
  if (movements == nullptr) return std::nullopt;
  const riskhistory::RiskMovement* movement = movements->Find(customer.signals.customer_id);
  return movement ? movement->score_change_30d : std::nullopt;
}

bool Matches(const reports::ScoredCustomer& customer, const AtRiskQuery& query,
             const std::vector<std::string>& lower_tiers) {
  if (query.min_score_change_30d) {
    const std::optional<int> change = ScoreChangeOf(customer, query.movements);
    if (!change || *change < *query.min_score_change_30d) return false;
  }
  if (query.only_entered_high) {
    const riskhistory::RiskMovement* movement =
        query.movements ? query.movements->Find(customer.signals.customer_id) : nullptr;
    if (movement == nullptr || !movement->entered_high) return false;
  }
  if (customer.signals.arr < query.min_arr) return false;
  if (query.only_churned && !customer.signals.churned) return false;
  if (!query.risk_levels.empty() &&
      std::find(query.risk_levels.begin(), query.risk_levels.end(),
                customer.assessment.risk_level) == query.risk_levels.end()) {
    return false;
  }
  if (!lower_tiers.empty() &&
      std::find(lower_tiers.begin(), lower_tiers.end(),
                absl::AsciiStrToLower(customer.signals.plan_tier)) == lower_tiers.end()) {
    return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<AtRiskSort> ParseAtRiskSort(std::string_view name) {
  if (name.empty()) return AtRiskSort::kRiskScore;
  for (const SortName& entry : kSortNames) {
    if (entry.name == name) return entry.sort;
  }
  std::string accepted;
  for (const SortName& entry : kSortNames) {
    absl::StrAppend(&accepted, accepted.empty() ? "" : ", ", std::string(entry.name));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("sort: must be one of ", accepted, ", got '", std::string(name), "'"));
}

std::string_view AtRiskSortName(AtRiskSort sort) { return Entry(sort).name; }

bool NaturallyDescending(AtRiskSort sort) { return Entry(sort).naturally_descending; }

absl::StatusOr<scoring::RiskLevel> ParseRiskLevelName(std::string_view name) {
  const std::string lower = absl::AsciiStrToLower(std::string(name));
  if (lower == "high") return scoring::RiskLevel::kHigh;
  if (lower == "medium") return scoring::RiskLevel::kMedium;
  if (lower == "low") return scoring::RiskLevel::kLow;
  return absl::InvalidArgumentError(
      absl::StrCat("risk_level: must be High, Medium or Low, got '", std::string(name), "'"));
}

absl::StatusOr<AtRiskPage> QueryAtRisk(const ViewSet& views, const AtRiskQuery& query) {
  if (!std::isfinite(query.min_arr)) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_arr: must be a finite number, got ", query.min_arr));
  }
  std::vector<std::string> lower_tiers;
  for (const std::string& tier : query.plan_tiers)
    lower_tiers.push_back(absl::AsciiStrToLower(tier));

  std::vector<const reports::ScoredCustomer*> matched;
  for (const reports::ScoredCustomer& customer : views.at_risk()) {
    if (Matches(customer, query, lower_tiers)) matched.push_back(&customer);
  }

  const bool descending = query.descending.value_or(NaturallyDescending(query.sort));
  const bool at_risk_order = query.sort == AtRiskSort::kRiskScore && descending;
  if (query.sort == AtRiskSort::kScoreChange30d) {
    // Rows without a change (new customers, no history) last in either direction.
    std::stable_sort(matched.begin(), matched.end(),
                     [&](const reports::ScoredCustomer* a, const reports::ScoredCustomer* b) {
                       const std::optional<int> x = ScoreChangeOf(*a, query.movements);
                       const std::optional<int> y = ScoreChangeOf(*b, query.movements);
                       if (!x || !y) return x.has_value() && !y.has_value();
                       return descending ? *x > *y : *x < *y;
                     });
  } else if (!at_risk_order) {
    // The rows are already in at-risk order, so a stable sort keeps it for ties.
    std::stable_sort(matched.begin(), matched.end(),
                     [&](const reports::ScoredCustomer* a, const reports::ScoredCustomer* b) {
                       const int order = CompareOn(query.sort, *a, *b);
                       return descending ? order > 0 : order < 0;
                     });
  }

  AtRiskPage page;
  page.total_matched = matched.size();
  page.offset = std::min(query.offset, matched.size());
  const size_t remaining = matched.size() - page.offset;
  const size_t count = query.limit == 0 ? remaining : std::min(query.limit, remaining);
  page.customers.assign(matched.begin() + static_cast<std::ptrdiff_t>(page.offset),
                        matched.begin() + static_cast<std::ptrdiff_t>(page.offset + count));
  page.has_more = page.offset + count < matched.size();
  return page;
}

}  // namespace churn::viewsets
