#include "viewsets/view_set_bytes.h"

#include <string>
#include <vector>

namespace churn::viewsets {
namespace {

// Heap bytes of a string: none while it fits the inline buffer.
int64_t Heap(const std::string& text) {
  return text.capacity() > std::string().capacity() ? static_cast<int64_t>(text.capacity()) + 1 : 0;
}

template <typename T>
int64_t Heap(const std::vector<T>& items) {
  return static_cast<int64_t>(items.capacity() * sizeof(T));
}

}  // namespace

ViewSetBytes MeasureViewSet(const ViewSet& views) {
  ViewSetBytes bytes;
  const AtRiskRows& rows = views.at_risk();
  bytes.rows = views.row_storage_bytes();
  for (const reports::ScoredCustomer& row : rows) {
    const CustomerSignals& s = row.signals;
    bytes.signal_texts += Heap(s.customer_id) + Heap(s.account_id) + Heap(s.account_name) +
                          Heap(s.industry) + Heap(s.country) + Heap(s.plan_tier);
    if (s.long_views) bytes.long_views += sizeof(LongViews);
    const scoring::Assessment& a = row.assessment;
    bytes.signal_texts += Heap(a.customer_id);
    bytes.fired_rules += Heap(a.fired_rules);
    for (const scoring::FiredRule& fired : a.fired_rules) {
      bytes.fired_rules += Heap(fired.rule) + Heap(fired.tier) + Heap(fired.reason);
    }
    bytes.reason_texts += Heap(a.reasons) + Heap(a.top_reasons);
    for (const std::string& reason : a.reasons) bytes.reason_texts += Heap(reason);
    bytes.action_texts += Heap(a.actions) + Heap(a.recommended_actions);
    for (const std::string& action : a.actions) bytes.action_texts += Heap(action);
    if (row.second_opinion) {
      bytes.second_opinions +=
          Heap(row.second_opinion->label) + Heap(row.second_opinion->top_contributions);
      for (const reports::SecondOpinionReason& reason : row.second_opinion->top_contributions) {
        bytes.second_opinions += Heap(reason.feature) + Heap(reason.sentence);
      }
    }
  }
  bytes.customer_index = views.customer_index_bytes();
  bytes.at_risk_index = views.at_risk_index().ApproxBytes();
  return bytes;
}

}  // namespace churn::viewsets
