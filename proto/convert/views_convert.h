#pragma once
// The gateway's views as churn.v1 messages: the Executive and Drivers figures, the customer
// brief's playbook, the freshness of the views and the at-risk sort.

#include "absl/status/statusor.h"
#include "churn/v1/gateway.pb.h"
#include "playbook/checklist.h"
#include "playbook/outreach.h"
#include "reports/summary.h"
#include "viewsets/at_risk_query.h"
#include "viewsets/view_set.h"
#include "viewsets/view_store.h"

namespace churn::convert {

// The figures only; freshness is filled separately.
void ToProto(const reports::ExecutiveSummary& executive, v1::GetExecutiveResponse* response);
// Plan tiers, drivers (with their labels) and churn reasons; the segment rows are
// ToProto(SegmentRisk).
void ToProto(const reports::DriversSummary& drivers, v1::GetDriversResponse* response);
void ToProto(const reports::SegmentRisk& row, v1::SegmentLevelCounts* proto);

void ToProto(const playbook::ChecklistStep& step, v1::NextBestActionStep* proto);
void ToProto(const playbook::OutreachDraft& draft, v1::OutreachDraft* proto);

// `views` (may be null) adds the window ends and the rules hash of the views served.
void ToProto(const viewsets::Freshness& freshness, const viewsets::ViewSet* views,
             v1::DataFreshness* proto);

// Unspecified is the at-risk order; an unknown number is INVALID_ARGUMENT naming sort_by.
absl::StatusOr<viewsets::AtRiskSort> FromProto(v1::AtRiskSortField field);

}  // namespace churn::convert
