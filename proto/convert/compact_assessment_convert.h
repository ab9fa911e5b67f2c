#pragma once
// The compact ScoreBatch form: scoring::RulesTexts <-> churn.v1.RulesTexts, and
// scoring::CompactAssessment <-> the columns of churn.v1.CompactAssessments.

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "churn/v1/scoring.pb.h"
#include "scoring/compact_assessment.h"

namespace churn::convert {

void ToProto(const scoring::RulesTexts& texts, std::string_view rules_sha256,
             v1::RulesTexts* proto);
absl::StatusOr<scoring::RulesTexts> FromProto(const v1::RulesTexts& proto,
                                              std::string_view field_path);

// Appends one customer to the columns (`texts` says which readings its fired tiers carry).
void AppendToProto(const scoring::CompactAssessment& compact, const scoring::RulesTexts& texts,
                   v1::CompactAssessments* proto);
// Every customer of the columns; an index outside `texts` or columns that do not add up ->
// INVALID_ARGUMENT naming `field_path`.
absl::StatusOr<std::vector<scoring::CompactAssessment>> FromProto(
    const v1::CompactAssessments& proto, const scoring::RulesTexts& texts,
    std::string_view field_path);

}  // namespace churn::convert
