#pragma once
// Risk-level counts and mean score per customer segment (plan tier, industry or country), for
// the Drivers view's "risk by segment" table.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "reports/scored_customer.h"
#include "reports/summary.h"

namespace churn::viewsets {

enum class SegmentKind { kPlanTier, kIndustry, kCountry };
inline constexpr SegmentKind kAllSegmentKinds[] = {SegmentKind::kPlanTier, SegmentKind::kIndustry,
                                                   SegmentKind::kCountry};

// "plan_tier" (also the default for ""), "industry" or "country"; anything else is
// InvalidArgument naming the accepted values.
absl::StatusOr<SegmentKind> ParseSegmentKind(std::string_view name);
std::string_view SegmentKindName(SegmentKind kind);
// The customer's value of that segment.
const std::string& SegmentOf(const CustomerSignals& signals, SegmentKind kind);

// One row per distinct segment value, sorted by value (blank values form their own segment).
std::vector<reports::SegmentRisk> SummarizeSegments(
    const std::vector<reports::ScoredCustomer>& customers, SegmentKind kind);

}  // namespace churn::viewsets
