#include "viewsets/segments.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"

namespace churn::viewsets {
namespace {

const std::string& SegmentOf(const CustomerSignals& signals, SegmentKind kind) {
  switch (kind) {
    case SegmentKind::kPlanTier: return signals.plan_tier;
    case SegmentKind::kIndustry: return signals.industry;
    case SegmentKind::kCountry: return signals.country;
  }
  return signals.plan_tier;
}

}  // namespace

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
  std::map<std::string, reports::SegmentRisk> segments;
  std::map<std::string, double> score_sums;
  for (const reports::ScoredCustomer& customer : customers) {
    const std::string& name = SegmentOf(customer.signals, kind);
    reports::SegmentRisk& segment = segments[name];
    segment.segment = name;
    ++segment.customers;
    score_sums[name] += customer.assessment.risk_score;
    switch (customer.assessment.risk_level) {
      case scoring::RiskLevel::kHigh: ++segment.high; break;
      case scoring::RiskLevel::kMedium: ++segment.medium; break;
      case scoring::RiskLevel::kLow: ++segment.low; break;
    }
  }
  std::vector<reports::SegmentRisk> rows;
  rows.reserve(segments.size());
  for (auto& [name, segment] : segments) {
    segment.mean_risk_score = score_sums[name] / static_cast<double>(segment.customers);
    rows.push_back(std::move(segment));
  }
  return rows;
}

}  // namespace churn::viewsets
