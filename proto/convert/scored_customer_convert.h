#pragma once
// churn.v1.ScoredCustomer <-> reports::ScoredCustomer: what the gateway serves per customer and
// what churnctl prints from it.

#include "absl/status/statusor.h"
#include "churn/v1/gateway.pb.h"
#include "reports/scored_customer.h"

namespace churn::convert {

void ToProto(const reports::ScoredCustomer& customer, v1::ScoredCustomer* proto);
// INVALID_ARGUMENT naming "signals..." or "assessment..." when a part is not valid.
absl::StatusOr<reports::ScoredCustomer> FromProto(const v1::ScoredCustomer& proto);

}  // namespace churn::convert
