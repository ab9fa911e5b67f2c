#include "viewsets/at_risk_page_token.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "viewsets/page_token.h"
#include "status/status_macros.h"

namespace churn::viewsets {
namespace {

constexpr char kList[] = "at-risk";

std::string ViewsIdentity(const ViewSet& views) {
  return absl::StrCat(views.snapshot_instance(), "\n", views.snapshot_version(), "\n",
                      views.rules_sha256(), "\n", absl::ToUnixNanos(views.built_at()));
}

// The filters as they select rows, not as they were spelled: plan tiers match
// ignoring case and order, so "Pro,basic" and "Basic,pro" bind the same tokens.
std::string CanonicalFilters(const AtRiskQuery& query) {
  std::vector<std::string> tiers;
  for (const std::string& tier : query.plan_tiers) tiers.push_back(absl::AsciiStrToLower(tier));
  std::sort(tiers.begin(), tiers.end());
  tiers.erase(std::unique(tiers.begin(), tiers.end()), tiers.end());
  std::vector<int> levels;
  for (scoring::RiskLevel level : query.risk_levels) levels.push_back(static_cast<int>(level));
  std::sort(levels.begin(), levels.end());
  levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  const bool descending = query.descending.value_or(NaturallyDescending(query.sort));
  // Movement filters and sort select rows by the movements in force: bound to them too.
  const bool uses_movements = query.min_score_change_30d.has_value() || query.only_entered_high ||
                              query.sort == AtRiskSort::kScoreChange30d;
  std::string movements = "none";
  if (uses_movements && query.movements != nullptr) {
    movements = absl::StrCat(query.movements->generation);
  }
  return absl::StrCat(
      "tiers=", absl::StrJoin(tiers, "\x1f"), "\nlevels=", absl::StrJoin(levels, ","),
      "\nmin_arr=", absl::StrFormat("%.17g", query.min_arr),
      "\nonly_churned=", query.only_churned ? 1 : 0, "\nmin_score_change_30d=",
      query.min_score_change_30d ? absl::StrCat(*query.min_score_change_30d) : "",
      "\nonly_entered_high=", query.only_entered_high ? 1 : 0,
      "\nmovements=", uses_movements ? movements : "",
      "\nsort=", std::string(AtRiskSortName(query.sort)), descending ? " desc" : " asc");
}

}  // namespace

AtRiskPageTokens::AtRiskPageTokens(const ViewSet& views, const AtRiskQuery& query)
    : binding_{kList, views.at_risk_query_cache().ViewsFingerprint([&views] {
                 return PageTokenFingerprint(ViewsIdentity(views));
               }),
               PageTokenFingerprint(CanonicalFilters(query))} {}

std::string AtRiskPageTokens::Token(size_t offset) const {
  return EncodePageToken(binding_, static_cast<int64_t>(offset));
}

absl::StatusOr<size_t> AtRiskPageTokens::Offset(std::string_view token) const {
  CHURN_ASSIGN_OR_RETURN(int64_t cursor, DecodePageToken(token, binding_));
  return static_cast<size_t>(cursor);
}

std::string AtRiskPageToken(const ViewSet& views, const AtRiskQuery& query, size_t offset) {
  return AtRiskPageTokens(views, query).Token(offset);
}

absl::StatusOr<size_t> AtRiskOffsetFromToken(std::string_view token, const ViewSet& views,
                                             const AtRiskQuery& query) {
  return AtRiskPageTokens(views, query).Offset(token);
}

}  // namespace churn::viewsets
