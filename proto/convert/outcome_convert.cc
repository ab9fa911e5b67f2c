#include "convert/outcome_convert.h"

#include "convert/time_convert.h"

namespace churn::convert {

v1::OutcomeKind ToProto(outcomes::OutcomeKind kind) {
  switch (kind) {
    case outcomes::OutcomeKind::kContacted: return v1::OUTCOME_KIND_CONTACTED;
    case outcomes::OutcomeKind::kMeetingScheduled: return v1::OUTCOME_KIND_MEETING_SCHEDULED;
    case outcomes::OutcomeKind::kIssueResolved: return v1::OUTCOME_KIND_ISSUE_RESOLVED;
    case outcomes::OutcomeKind::kRenewed: return v1::OUTCOME_KIND_RENEWED;
    case outcomes::OutcomeKind::kDowngraded: return v1::OUTCOME_KIND_DOWNGRADED;
    case outcomes::OutcomeKind::kCancelled: return v1::OUTCOME_KIND_CANCELLED;
    case outcomes::OutcomeKind::kNoResponse: return v1::OUTCOME_KIND_NO_RESPONSE;
  }
  return v1::OUTCOME_KIND_UNSPECIFIED;
}

absl::StatusOr<outcomes::OutcomeKind> FromProto(v1::OutcomeKind kind) {
  for (outcomes::OutcomeKind candidate : outcomes::kAllOutcomeKinds) {
    if (ToProto(candidate) == kind) return candidate;
  }
  return absl::InvalidArgumentError(
      "kind: required, one of OUTCOME_KIND_CONTACTED, OUTCOME_KIND_MEETING_SCHEDULED, "
      "OUTCOME_KIND_ISSUE_RESOLVED, OUTCOME_KIND_RENEWED, OUTCOME_KIND_DOWNGRADED, "
      "OUTCOME_KIND_CANCELLED, OUTCOME_KIND_NO_RESPONSE");
}

void ToProto(const outcomes::Outcome& outcome, v1::Outcome* proto) {
  proto->set_id(outcome.id);
  proto->set_customer_id(outcome.customer_id);
  proto->set_kind(ToProto(outcome.kind));
  proto->set_notes(outcome.note);
  ToProto(outcome.recorded_at, proto->mutable_recorded_at());
  proto->set_recorded_by(outcome.recorded_by);
}

}  // namespace churn::convert
