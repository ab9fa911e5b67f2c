#pragma once
// churn.v1.ModelOpinion (scoring's answer) <-> reports::SecondOpinion (what the gateway holds and
// shows in the customer brief), without the model's library.

#include "absl/status/statusor.h"
#include "churn/v1/scoring.pb.h"
#include "reports/second_opinion.h"

namespace churn::convert {

// INVALID_ARGUMENT naming `path` when the probability is not within [0, 1].
absl::StatusOr<reports::SecondOpinion> FromProto(const v1::ModelOpinion& proto,
                                                 const std::string& path);
void ToProto(const reports::SecondOpinion& opinion, v1::ModelOpinion* proto);

}  // namespace churn::convert
