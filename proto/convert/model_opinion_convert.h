#pragma once
// The trained model's opinion (libs/churnmodel) -> churn.v1.ModelOpinion. A target of its own
// (churn_proto_convert_model): only what shows the model links the model's library.

#include "churn/v1/scoring.pb.h"
#include "churnmodel/churn_model.h"

namespace churn::convert {

// Labelled as the model's second opinion; `horizon_days` is the model's.
void ToProto(const churnmodel::ModelOpinion& opinion, int horizon_days, v1::ModelOpinion* proto);

}  // namespace churn::convert
