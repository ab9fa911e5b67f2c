#include "convert/compact_response_expander.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "convert/assessment_convert.h"
#include "convert/compact_assessment_convert.h"
#include "status/status_macros.h"

namespace churn::convert {

void CompactResponseExpander::PrepareRequest(v1::ScoreBatchRequest* request) const {
  request->set_response_form(v1::SCORE_RESPONSE_FORM_COMPACT);
  request->set_known_rules_sha256(rules_sha256_);
}

absl::Status CompactResponseExpander::Expand(const v1::ScoreBatchRequest& request,
                                             const v1::ScoreBatchResponse& compact,
                                             v1::ScoreBatchResponse* full) {
  if (compact.has_rules_texts()) {
    CHURN_ASSIGN_OR_RETURN(texts_, FromProto(compact.rules_texts(), "rules_texts"));
    rules_sha256_ = compact.rules_texts().rules_sha256();
  }
  if (rules_sha256_.empty() || compact.rules().sha256() != rules_sha256_) {
    return absl::FailedPreconditionError(
        absl::StrCat("the texts of rules ", compact.rules().sha256(),
                     " are not held (held: ", rules_sha256_.empty() ? "none" : rules_sha256_, ")"));
  }
  CHURN_ASSIGN_OR_RETURN(std::vector<scoring::CompactAssessment> assessments,
                         FromProto(compact.compact(), texts_, "compact"));
  if (static_cast<int>(assessments.size()) != request.customers_size()) {
    return absl::InvalidArgumentError(absl::StrCat("compact: ", assessments.size(),
                                                   " assessments for ", request.customers_size(),
                                                   " customers"));
  }
  full->Clear();
  full->mutable_assessments()->Reserve(request.customers_size());
  for (int i = 0; i < request.customers_size(); ++i) {
    ToProto(scoring::ExpandAssessment(texts_, assessments[static_cast<size_t>(i)],
                                      request.customers(i).customer_id()),
            full->add_assessments());
  }
  if (compact.has_rules()) *full->mutable_rules() = compact.rules();
  if (compact.has_level_counts()) *full->mutable_level_counts() = compact.level_counts();
  *full->mutable_model_opinions() = compact.model_opinions();
  return absl::OkStatus();
}

}  // namespace churn::convert
