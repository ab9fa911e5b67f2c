#include "viewsets/segments.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace churn::viewsets {
const std::string& SegmentOf(const CustomerSignals& signals, SegmentKind kind) {
  switch (kind) {
    case SegmentKind::kPlanTier: return signals.plan_tier;
    case SegmentKind::kIndustry: return signals.industry;
    case SegmentKind::kCountry: return signals.country;
  }
  return signals.plan_tier;
}

absl::StatusOr<SegmentKind> ParseSegmentKind(std::string_view name) {
  if (name.empty() || name == "plan_tier") return SegmentKind::kPlanTier;
  if (name == "industry") return SegmentKind::kIndustry;
  if (name == "country") return SegmentKind::kCountry;
  return absl::InvalidArgumentError(absl::StrCat(
      "segment: must be plan_tier, industry or country, got '", std::string(name), "'"));
}

std::string_view SegmentKindName(SegmentKind kind) {
  switch (kind) {
    case SegmentKind::kPlanTier: return "plan_tier";
    case SegmentKind::kIndustry: return "industry";
    case SegmentKind::kCountry: return "country";
  }
  return "plan_tier";
}

std::vector<reports::SegmentRisk> SummarizeSegments(
    const std::vector<reports::ScoredCustomer>& customers, SegmentKind kind) {
  // Hashed while counting (a million rows, a handful of segments), sorted by value once at the end.
  absl::flat_hash_map<std::string_view, size_t> slot_of;
  std::vector<reports::SegmentRisk> rows;
  std::vector<double> score_sums;
  for (const reports::ScoredCustomer& customer : customers) {
    const std::string& name = SegmentOf(customer.signals, kind);
    auto [it, inserted] = slot_of.try_emplace(name, rows.size());
    if (inserted) {
      rows.emplace_back().segment = name;
      score_sums.push_back(0);
    }
    reports::SegmentRisk& segment = rows[it->second];
    ++segment.customers;
    score_sums[it->second] += customer.assessment.risk_score;
    switch (customer.assessment.risk_level) {
      case scoring::RiskLevel::kHigh: ++segment.high; break;
      case scoring::RiskLevel::kMedium: ++segment.medium; break;
      case scoring::RiskLevel::kLow: ++segment.low; break;
    }
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].mean_risk_score = score_sums[i] / static_cast<double>(rows[i].customers);
  }
  std::sort(rows.begin(), rows.end(),
            [](const reports::SegmentRisk& a, const reports::SegmentRisk& b) {
              return a.segment < b.segment;
            });
  return rows;
}

}  // namespace churn::viewsets
