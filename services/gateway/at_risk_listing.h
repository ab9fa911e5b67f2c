#pragma once
// One page of the at-risk list with everything its response says, in library types: the gRPC
// response (GatewayApi::ListAtRisk) and the HTTP JSON (at_risk_page_json.h) are both written
// from it, so the two front ends cannot drift apart.

#include <memory>
#include <string>

#include "riskhistory/risk_movements.h"
#include "viewsets/at_risk_query.h"
#include "viewsets/view_set.h"
#include "viewsets/view_store.h"

namespace churn::gateway {

struct AtRiskListing {
  // Held so the page's row pointers stay valid while the response is written.
  std::shared_ptr<const viewsets::ViewSet> views;
  std::shared_ptr<const riskhistory::RiskMovements> movements;  // never null
  // `movements` laid out by row of `views` when already held (viewsets::HeldMovementColumns):
  // the page's rows read theirs by position (page.positions), not by id. Null: by id.
  std::shared_ptr<const viewsets::MovementColumns> movement_columns;
  viewsets::Freshness freshness;                                // of `views`
  viewsets::AtRiskPage page;
  std::string next_page_token;      // empty on the last page
  std::string previous_page_token;  // empty on the first page
};

}  // namespace churn::gateway
