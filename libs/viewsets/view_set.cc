#include "viewsets/view_set.h"

#include <utility>

namespace churn::viewsets {

std::shared_ptr<const ViewSet> ViewSet::Build(ViewSetInputs inputs) {
  // make_shared cannot reach the private constructor.
  std::shared_ptr<ViewSet> views(new ViewSet());
  views->at_risk_ = std::move(inputs.customers);
  reports::SortAtRisk(&views->at_risk_);
  views->at_risk_index_ = AtRiskIndex(views->at_risk_);
  views->executive_ = reports::SummarizeExecutive(views->at_risk_, inputs.usage_window_end,
                                                  inputs.support_window_end);
  views->drivers_ =
      reports::SummarizeDrivers(views->at_risk_, inputs.churn_reason_counts, inputs.rule_labels);
  for (SegmentKind kind : kAllSegmentKinds) {
    views->segments_[static_cast<int>(kind)] = SummarizeSegments(views->at_risk_, kind);
  }
  views->index_.reserve(views->at_risk_.size());
  for (uint32_t i = 0; i < views->at_risk_.size(); ++i) {
    views->index_.insert(i);  // a repeated id keeps its first row
  }
  views->snapshot_version_ = inputs.snapshot_version;
  views->snapshot_instance_ = std::move(inputs.snapshot_instance);
  views->built_at_ = inputs.built_at;
  views->rules_sha256_ = std::move(inputs.rules_sha256);
  return views;
}

const std::vector<reports::SegmentRisk>& ViewSet::segments(SegmentKind kind) const {
  return segments_[static_cast<int>(kind)];
}

const reports::ScoredCustomer* ViewSet::FindCustomer(std::string_view customer_id) const {
  auto it = index_.find(customer_id);
  return it == index_.end() ? nullptr : &at_risk_[*it];
}

}  // namespace churn::viewsets
