#pragma once
// Page tokens of the at-risk list: bound to the very ViewSet paged (its
// snapshot, rules and build) and to the query's filters and sort, so a token
// never silently lands on other rows after a refresh or a filter change. Paging
// (offset, limit) is not part of the binding: the page size may change between
// pages.

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "viewsets/at_risk_query.h"
#include "viewsets/view_set.h"

namespace churn::viewsets {

std::string AtRiskPageToken(const ViewSet& views, const AtRiskQuery& query, size_t offset);

// The offset a token stands for; InvalidArgument when it is from other views or
// other filters or sort (see DecodePageToken).
absl::StatusOr<size_t> AtRiskOffsetFromToken(std::string_view token, const ViewSet& views,
                                             const AtRiskQuery& query);

}  // namespace churn::viewsets
