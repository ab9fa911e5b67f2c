#pragma once
// What came of a follow-up with a customer at risk (docs/PRODUCT.md "Views", outcome log).

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

inline constexpr OutcomeKind kAllOutcomeKinds[] = {
    OutcomeKind::kContacted, OutcomeKind::kMeetingScheduled, OutcomeKind::kIssueResolved,
    OutcomeKind::kRenewed,   OutcomeKind::kDowngraded,       OutcomeKind::kCancelled,
    OutcomeKind::kNoResponse};

// The stored name: "contacted", "meeting_scheduled", "issue_resolved", "renewed", "downgraded",
// "cancelled", "no_response".
std::string_view OutcomeKindName(OutcomeKind kind);
// The stored names; anything else is InvalidArgument listing them.
absl::StatusOr<OutcomeKind> ParseOutcomeKind(std::string_view name);

}  // namespace churn::outcomes
