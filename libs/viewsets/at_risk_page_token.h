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
#include "viewsets/page_token.h"
#include "viewsets/at_risk_query.h"
#include "viewsets/view_set.h"

namespace churn::viewsets {

// The tokens of one query over one ViewSet, its binding fingerprinted once: the views' part
// once per ViewSet (remembered in its query cache), the filters' once here.
class AtRiskPageTokens {
 public:
  AtRiskPageTokens(const ViewSet& views, const AtRiskQuery& query);

  std::string Token(size_t offset) const;
  // As AtRiskOffsetFromToken.
  absl::StatusOr<size_t> Offset(std::string_view token) const;

 private:
  PageTokenFingerprints binding_;
};

std::string AtRiskPageToken(const ViewSet& views, const AtRiskQuery& query, size_t offset);

// The offset a token stands for; InvalidArgument when it is from other views or
// other filters or sort (see DecodePageToken).
absl::StatusOr<size_t> AtRiskOffsetFromToken(std::string_view token, const ViewSet& views,
                                             const AtRiskQuery& query);

}  // namespace churn::viewsets
