#include "convert/compact_response_expander.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "convert/assessment_convert.h"
#include "convert/compact_assessment_convert.h"
#include "status/status_macros.h"

namespace churn::convert {
namespace {

absl::Status CheckFits(const v1::ScoreBatchRequest& request, size_t assessments) {
  if (static_cast<int>(assessments) == request.customers_size()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("compact: ", assessments, " assessments for ",
                                                 request.customers_size(), " customers"));
}

}  // namespace

void CompactResponseExpander::PrepareRequest(v1::ScoreBatchRequest* request) const {
  request->set_response_form(v1::SCORE_RESPONSE_FORM_COMPACT);
  request->set_known_rules_sha256(known_rules_sha256());
}

const std::string& CompactResponseExpander::known_rules_sha256() const {
  static const std::string* const kNone = new std::string();
  return held_ ? held_->rules_sha256 : *kNone;
}

absl::StatusOr<std::shared_ptr<const HeldRulesTexts>> CompactResponseExpander::Learn(
    const v1::ScoreBatchResponse& compact) {
  if (compact.has_rules_texts()) {
    auto held = std::make_shared<HeldRulesTexts>();
    CHURN_ASSIGN_OR_RETURN(held->texts, FromProto(compact.rules_texts(), "rules_texts"));
    held->rules_sha256 = compact.rules_texts().rules_sha256();
    held_ = std::move(held);
  }
  if (!held_ || held_->rules_sha256.empty() || compact.rules().sha256() != held_->rules_sha256) {
    return absl::FailedPreconditionError(
        absl::StrCat("the texts of rules ", compact.rules().sha256(), " are not held (held: ",
                     known_rules_sha256().empty() ? "none" : known_rules_sha256(), ")"));
  }
  return held_;
}

absl::Status CompactResponseExpander::Expand(const v1::ScoreBatchRequest& request,
                                             const v1::ScoreBatchResponse& compact,
                                             v1::ScoreBatchResponse* full) {
  CHURN_ASSIGN_OR_RETURN(std::shared_ptr<const HeldRulesTexts> held, Learn(compact));
  CHURN_ASSIGN_OR_RETURN(std::vector<scoring::CompactAssessment> assessments,
                         FromProto(compact.compact(), held->texts, "compact"));
  CHURN_RETURN_IF_ERROR(CheckFits(request, assessments.size()));
  full->Clear();
  full->mutable_assessments()->Reserve(request.customers_size());
  for (int i = 0; i < request.customers_size(); ++i) {
    ToProto(scoring::ExpandAssessment(held->texts, assessments[static_cast<size_t>(i)],
                                      request.customers(i).customer_id()),
            full->add_assessments());
  }
  if (compact.has_rules()) *full->mutable_rules() = compact.rules();
  if (compact.has_level_counts()) *full->mutable_level_counts() = compact.level_counts();
  *full->mutable_model_opinions() = compact.model_opinions();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<scoring::Assessment>> CompactAssessmentReader::Read(
    const HeldRulesTexts& held, const v1::ScoreBatchRequest& request,
    const v1::ScoreBatchResponse& compact) {
  CHURN_ASSIGN_OR_RETURN(std::vector<scoring::CompactAssessment> columns,
                         FromProto(compact.compact(), held.texts, "compact"));
  CHURN_RETURN_IF_ERROR(CheckFits(request, columns.size()));
  if (shared_sha256_ != held.rules_sha256 || shared_.tiers.size() != held.texts.tiers.size() ||
      shared_.actions.size() != held.texts.actions.size()) {
    shared_ = scoring::ShareRulesTexts(held.texts, &interner_);
    shared_sha256_ = held.rules_sha256;
  }
  std::vector<scoring::Assessment> assessments;
  assessments.reserve(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    assessments.push_back(scoring::ExpandAssessment(
        held.texts, shared_, columns[i], request.customers(static_cast<int>(i)).customer_id(),
        &interner_));
  }
  return assessments;
}

}  // namespace churn::convert
