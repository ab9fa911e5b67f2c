#include "convert/scored_customer_convert.h"

#include "convert/assessment_convert.h"
#include "convert/signals_convert.h"
#include "status/status_macros.h"

namespace churn::convert {

void ToProto(const reports::ScoredCustomer& customer, v1::ScoredCustomer* proto) {
  ToProto(customer.signals, proto->mutable_signals());
  ToProto(customer.assessment, proto->mutable_assessment());
}

absl::StatusOr<reports::ScoredCustomer> FromProto(const v1::ScoredCustomer& proto) {
  CHURN_ASSIGN_OR_RETURN(CustomerSignals signals, FromProto(proto.signals(), "signals"));
  CHURN_ASSIGN_OR_RETURN(scoring::Assessment assessment,
                         FromProto(proto.assessment(), "assessment"));
  return reports::ScoredCustomer{std::move(signals), std::move(assessment)};
}

}  // namespace churn::convert
