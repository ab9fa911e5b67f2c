#pragma once
// Conversions between the API messages (churn.v1) and the libraries' plain C++ types. Input
// validation of signals lives here, once, for every service that accepts them: a bad value is
// an INVALID_ARGUMENT naming the field, e.g. "customers[3].usage_30d: must be >= 0, got -5".

#include <string_view>

#include "absl/status/statusor.h"
#include "churn/v1/common.pb.h"
#include "scoring/engine.h"
#include "signals/customer_signals.h"

namespace churn::service {

// `field_path` is where the message sits in the request ("signals", "customers[3]").
absl::StatusOr<CustomerSignals> SignalsFromProto(const v1::CustomerSignals& proto,
                                                 std::string_view field_path);
void SignalsToProto(const CustomerSignals& signals, v1::CustomerSignals* proto);

v1::RiskLevel RiskLevelToProto(scoring::RiskLevel level);
// RISK_LEVEL_UNSPECIFIED (or an unknown number) -> INVALID_ARGUMENT naming `field_path`.
absl::StatusOr<scoring::RiskLevel> RiskLevelFromProto(v1::RiskLevel level,
                                                      std::string_view field_path);

void AssessmentToProto(const scoring::Assessment& assessment, v1::RiskAssessment* proto);
absl::StatusOr<scoring::Assessment> AssessmentFromProto(const v1::RiskAssessment& proto,
                                                        std::string_view field_path);

}  // namespace churn::service
