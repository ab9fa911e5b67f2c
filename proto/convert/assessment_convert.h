#pragma once
// churn.v1.RiskLevel and churn.v1.RiskAssessment <-> the scoring engine's types.

#include <string_view>

#include "absl/status/statusor.h"
#include "churn/v1/common.pb.h"
#include "scoring/engine.h"
#include "signals/text_interner.h"

namespace churn::convert {

v1::RiskLevel ToProto(scoring::RiskLevel level);
// RISK_LEVEL_UNSPECIFIED (or an unknown number) -> INVALID_ARGUMENT naming `field_path`.
absl::StatusOr<scoring::RiskLevel> FromProto(v1::RiskLevel level, std::string_view field_path);

void ToProto(const scoring::Assessment& assessment, v1::RiskAssessment* proto);
absl::StatusOr<scoring::Assessment> FromProto(const v1::RiskAssessment& proto,
                                              std::string_view field_path);
// The same, taking the texts out of *proto (left with empty strings) instead of copying them:
// for a response converted once and then dropped. With `texts`, every text (not the customer id)
// is interned there: assessments converted with one interner share their equal texts.
absl::StatusOr<scoring::Assessment> FromProto(v1::RiskAssessment* proto,
                                              std::string_view field_path,
                                              TextInterner* texts = nullptr);

}  // namespace churn::convert
