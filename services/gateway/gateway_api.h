#pragma once
// The gateway's read and write operations over its views and the outcome log, in API messages.
// One implementation for both front ends: the gRPC service and the HTTP JSON API call these and
// only translate transport (statuses, query strings, JSON). Every view response carries the
// DataFreshness of the very ViewSet it was computed from.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "at_risk_listing.h"
#include "viewsets/at_risk_query.h"
#include "viewsets/view_store.h"
#include "churn/v1/gateway.pb.h"
#include "outcomes/outcome_log.h"
#include "linked_ticket_analyses.h"
#include "risk_trends.h"

namespace churn::gateway {

struct GatewayApiOptions {
  int32_t default_page_size = 50;
  int32_t max_page_size = 1000;
  double strategic_arr = 25000;  // playbook::OutreachOptions
};

class GatewayApi {
 public:
  GatewayApi(GatewayApiOptions options, const viewsets::ViewStore* store,
             outcomes::OutcomeLog* outcome_log);

  // View calls: UNAVAILABLE (with the last refresh error) until the first views are built.
  absl::Status GetExecutive(v1::GetExecutiveResponse* response) const;
  absl::Status GetDrivers(const v1::GetDriversRequest& request,
                          v1::GetDriversResponse* response) const;
  absl::Status ListAtRisk(const v1::ListAtRiskRequest& request,
                          v1::ListAtRiskResponse* response) const;
  // The same page in library types (the HTTP API writes its JSON from it without messages).
  absl::StatusOr<AtRiskListing> ListAtRisk(const v1::ListAtRiskRequest& request) const;
  // NOT_FOUND for a customer not in the current views.
  absl::Status GetCustomerBrief(const v1::GetCustomerBriefRequest& request,
                                v1::GetCustomerBriefResponse* response) const;

  // The customer must be in the current views (NOT_FOUND otherwise).
  // `recorded_by`: the authenticated caller's name.
  absl::Status RecordOutcome(const v1::RecordOutcomeRequest& request,
                             const std::string& recorded_by, v1::RecordOutcomeResponse* response);
  absl::Status ListOutcomes(const v1::ListOutcomesRequest& request,
                            v1::ListOutcomesResponse* response) const;

  // Every customer matching the filters of `filters` (its paging is ignored), in its order.
  absl::StatusOr<std::string> ExportAtRiskCsv(const v1::ListAtRiskRequest& filters) const;
  absl::StatusOr<std::string> ExportPlaybooksCsv(const v1::ListAtRiskRequest& filters) const;

  // The freshness of the current views (for /readyz and Refresh); `views` may be null.
  void FillFreshness(const viewsets::ViewSet* views, v1::DataFreshness* freshness) const;
  // Linked ticket analyses shown in customer briefs (none when not set).
  void set_ticket_analyses(const LinkedTicketAnalyses* analyses) { ticket_analyses_ = analyses; }
  // The risk history behind the briefs' trend, the movement filters and sort of the at-risk list
  // and the Executive level moves (none when not set: no trend, no moves, movement filters match
  // nobody).
  void set_risk_trends(const RiskTrends* trends) { risk_trends_ = trends; }

  // The current views, or UNAVAILABLE saying why there are none yet.
  absl::StatusOr<std::shared_ptr<const viewsets::ViewSet>> CurrentViews() const;

  // The request's filters, sort and page as a library query (INVALID_ARGUMENT naming the field);
  // its `movements` are left for the caller, who holds them while querying.
  absl::StatusOr<viewsets::AtRiskQuery> QueryFromRequest(const v1::ListAtRiskRequest& request,
                                                         bool paged) const;

 private:
  // Every at-risk row the filters select, unpaged (the exports).
  absl::StatusOr<viewsets::AtRiskPage> AllAtRisk(const v1::ListAtRiskRequest& filters) const;

  const GatewayApiOptions options_;
  const viewsets::ViewStore* store_;
  outcomes::OutcomeLog* outcome_log_;
  // Empty movements when there are no risk trends.
  std::shared_ptr<const riskhistory::RiskMovements> Movements() const;

  const LinkedTicketAnalyses* ticket_analyses_ = nullptr;
  const RiskTrends* risk_trends_ = nullptr;
};

}  // namespace churn::gateway
