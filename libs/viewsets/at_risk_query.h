#pragma once
// The At-Risk list query: filter (plan tiers, risk levels, minimum ARR, only churned, and from the
// risk history the score change over 30 days and "entered High since the previous snapshot"), sort
// and page over a ViewSet. Filters and sort names are validated here, once, for every front end
// (gRPC, HTTP, CSV export).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "riskhistory/risk_movements.h"
#include "viewsets/at_risk_sort.h"
#include "viewsets/view_set.h"
#include "scoring/engine.h"

namespace churn::viewsets {

// "risk_score" (also ""), "arr", "customer_id", "account_name", "plan_tier", "usage_drop_pct",
// "tickets_30d", "score_change_30d"; anything else is InvalidArgument listing the accepted names.
absl::StatusOr<AtRiskSort> ParseAtRiskSort(std::string_view name);
std::string_view AtRiskSortName(AtRiskSort sort);
// Numbers sort largest first, text A to Z, unless the query says otherwise.
bool NaturallyDescending(AtRiskSort sort);

// "High"/"high"/"Medium"/"medium"/"Low"/"low"; anything else is InvalidArgument.
absl::StatusOr<scoring::RiskLevel> ParseRiskLevelName(std::string_view name);

struct AtRiskQuery {
  std::vector<std::string> plan_tiers;          // empty: all; matched ignoring ASCII case
  std::vector<scoring::RiskLevel> risk_levels;  // empty: all
  double min_arr = 0;                           // arr >= min_arr
  bool only_churned = false;
  // From the risk history: a customer matches when its score changed by at least this much over
  // 30 days (customers without a 30-day change never match), and, with only_entered_high, when
  // it entered High since the previous snapshot. Both need `movements`.
  std::optional<int> min_score_change_30d;
  bool only_entered_high = false;
  // The risk movements the filters and the score_change_30d sort read; null: no history yet
  // (the filters then match nobody and the sort puts every row last, in at-risk order).
  const riskhistory::RiskMovements* movements = nullptr;
  AtRiskSort sort = AtRiskSort::kRiskScore;
  // Unset: the field's natural direction. With kRiskScore and descending, the at-risk order;
  // ascending reverses the score only (ties keep the at-risk order, as with every field).
  std::optional<bool> descending;
  size_t offset = 0;
  size_t limit = 0;  // 0: every row from offset on
};

struct AtRiskPage {
  // Point into the ViewSet queried: valid while the caller holds it.
  std::vector<const reports::ScoredCustomer*> customers;
  // Each row's position in the views' at-risk rows (what MovementColumns are indexed by).
  std::vector<uint32_t> positions;
  size_t total_matched = 0;  // over all pages
  size_t offset = 0;         // of customers[0]
  bool has_more = false;     // rows remain after this page
};

// InvalidArgument for a min_arr that is not a finite number. Walks the views' ready order for the
// sort (at_risk_index.h) and remembers the matched rows of the last few queries in the views
// (at_risk_query_cache.h), so paging costs the page; a RiskMovements object must not change once
// queried under a generation other than 0 (generation 0 is never remembered).
absl::StatusOr<AtRiskPage> QueryAtRisk(const ViewSet& views, const AtRiskQuery& query);

// Lays `movements` out by row of `views` now (remembered per generation, as a query would), so
// the first query with a movement filter on new views or movements does not pay for it: for a
// thread off the request path, after a publish or a movements reload. Nothing for generation 0.
void PrepareMovementColumns(const ViewSet& views, const riskhistory::RiskMovements& movements);

// The movements laid out by row of `views` when already held for their generation, else null
// (never builds them): a page's rows read their movements from them by position, not by id.
std::shared_ptr<const MovementColumns> HeldMovementColumns(
    const ViewSet& views, const riskhistory::RiskMovements& movements);

// The same answer by filtering every row and sorting the matches: the reference the indexed
// query is tested against.
absl::StatusOr<AtRiskPage> QueryAtRiskByScan(const ViewSet& views, const AtRiskQuery& query);

}  // namespace churn::viewsets
