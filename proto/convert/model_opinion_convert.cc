#include "convert/model_opinion_convert.h"

namespace churn::convert {

void ToProto(const churnmodel::ModelOpinion& opinion, int horizon_days, v1::ModelOpinion* proto) {
  proto->Clear();
  proto->set_label(churnmodel::kSecondOpinionLabel);
  proto->set_churn_probability(opinion.probability);
  proto->set_horizon_days(horizon_days);
  for (const churnmodel::FeatureContribution& c : opinion.top) {
    v1::FeatureContribution* out = proto->add_top_contributions();
    out->set_feature(c.feature);
    if (c.value) out->set_value(*c.value);
    out->set_contribution(c.contribution);
    out->set_sentence(c.sentence);
  }
}

}  // namespace churn::convert
