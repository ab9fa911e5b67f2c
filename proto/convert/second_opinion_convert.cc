#include "convert/second_opinion_convert.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace churn::convert {

absl::StatusOr<reports::SecondOpinion> FromProto(const v1::ModelOpinion& proto,
                                                 const std::string& path) {
  const double p = proto.churn_probability();
  if (!std::isfinite(p) || p < 0 || p > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ".churn_probability: expected within [0, 1], got ", p));
  }
  reports::SecondOpinion opinion;
  opinion.label = proto.label();
  opinion.churn_probability = p;
  opinion.horizon_days = proto.horizon_days();
  for (const v1::FeatureContribution& c : proto.top_contributions()) {
    reports::SecondOpinionReason reason;
    reason.feature = c.feature();
    if (c.has_value()) reason.value = c.value();
    reason.contribution = c.contribution();
    reason.sentence = c.sentence();
    opinion.top_contributions.push_back(std::move(reason));
  }
  return opinion;
}

void ToProto(const reports::SecondOpinion& opinion, v1::ModelOpinion* proto) {
  proto->Clear();
  proto->set_label(opinion.label);
  proto->set_churn_probability(opinion.churn_probability);
  proto->set_horizon_days(opinion.horizon_days);
  for (const reports::SecondOpinionReason& c : opinion.top_contributions) {
    v1::FeatureContribution* out = proto->add_top_contributions();
    out->set_feature(c.feature);
    if (c.value) out->set_value(*c.value);
    out->set_contribution(c.contribution);
    out->set_sentence(c.sentence);
  }
}

}  // namespace churn::convert
