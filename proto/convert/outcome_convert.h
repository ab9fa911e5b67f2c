#pragma once
// churn.v1.Outcome and OutcomeKind <-> the outcome log's types.

#include "absl/status/statusor.h"
#include "churn/v1/gateway.pb.h"
#include "outcomes/outcome_log.h"

namespace churn::convert {

v1::OutcomeKind ToProto(outcomes::OutcomeKind kind);
// OUTCOME_KIND_UNSPECIFIED (or an unknown number) -> INVALID_ARGUMENT naming `kind`.
absl::StatusOr<outcomes::OutcomeKind> FromProto(v1::OutcomeKind kind);

void ToProto(const outcomes::Outcome& outcome, v1::Outcome* proto);

}  // namespace churn::convert
