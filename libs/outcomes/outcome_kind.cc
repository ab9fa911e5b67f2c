#include "outcomes/outcome_kind.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace churn::outcomes {

std::string_view OutcomeKindName(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::kContacted: return "contacted";
    case OutcomeKind::kMeetingScheduled: return "meeting_scheduled";
    case OutcomeKind::kIssueResolved: return "issue_resolved";
    case OutcomeKind::kRenewed: return "renewed";
    case OutcomeKind::kDowngraded: return "downgraded";
    case OutcomeKind::kCancelled: return "cancelled";
    case OutcomeKind::kNoResponse: return "no_response";
  }
  return "contacted";
}

absl::StatusOr<OutcomeKind> ParseOutcomeKind(std::string_view name) {
  std::string accepted;
  for (OutcomeKind kind : kAllOutcomeKinds) {
    if (OutcomeKindName(kind) == name) return kind;
    absl::StrAppend(&accepted, accepted.empty() ? "" : ", ", std::string(OutcomeKindName(kind)));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("outcome: must be one of ", accepted, ", got '", std::string(name), "'"));
}

}  // namespace churn::outcomes
