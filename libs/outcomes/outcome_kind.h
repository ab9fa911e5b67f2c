#pragma once
// What came of a follow-up with a customer at risk (docs/PRODUCT.md "Views",
// outcome log).

#include <array>
#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace churn::outcomes {

enum class OutcomeKind {
  kContacted,
  kMeetingScheduled,
  kIssueResolved,
  kRenewed,
  kDowngraded,
  kCancelled,
  kNoResponse,
};

// The one list of outcome kinds and their stored names, in the enum's order.
// Everything else is derived from it or checked against it: the SQL CHECK of
// the outcome log (OutcomeKindSqlList), the churn.v1.OutcomeKind enum and the
// dashboard's list (tests/outcomes).
struct OutcomeKindEntry {
  OutcomeKind kind;
  std::string_view name;
};
inline constexpr OutcomeKindEntry kOutcomeKinds[] = {
    {OutcomeKind::kContacted, "contacted"},
    {OutcomeKind::kMeetingScheduled, "meeting_scheduled"},
    {OutcomeKind::kIssueResolved, "issue_resolved"},
    {OutcomeKind::kRenewed, "renewed"},
    {OutcomeKind::kDowngraded, "downgraded"},
    {OutcomeKind::kCancelled, "cancelled"},
    {OutcomeKind::kNoResponse, "no_response"},
};

inline constexpr auto kAllOutcomeKinds = [] {
  std::array<OutcomeKind, std::size(kOutcomeKinds)> kinds{};
  for (size_t i = 0; i < kinds.size(); ++i) kinds[i] = kOutcomeKinds[i].kind;
  return kinds;
}();

// The stored name ("meeting_scheduled").
std::string_view OutcomeKindName(OutcomeKind kind);
// The stored names; anything else is InvalidArgument listing them.
absl::StatusOr<OutcomeKind> ParseOutcomeKind(std::string_view name);
// The stored names as an SQL list: "'contacted', 'meeting_scheduled', ...".
std::string OutcomeKindSqlList();

}  // namespace churn::outcomes
