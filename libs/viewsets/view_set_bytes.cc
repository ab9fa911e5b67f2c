#include "viewsets/view_set_bytes.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"

namespace churn::viewsets {
namespace {

// Heap bytes of a string: none while it fits the inline buffer.
int64_t Heap(const std::string& text) {
  return text.capacity() > std::string().capacity() ? static_cast<int64_t>(text.capacity()) + 1 : 0;
}

// A shared text's string counts once, with the first row that holds it.
class SharedTexts {
 public:
  int64_t Heap(const SharedText& text) {
    if (text.empty() || !seen_.insert(&text.str()).second) return 0;
    return static_cast<int64_t>(text.StringBytes());
  }

 private:
  absl::flat_hash_set<const std::string*> seen_;
};

template <typename T>
int64_t Heap(const std::vector<T>& items) {
  return static_cast<int64_t>(items.capacity() * sizeof(T));
}

}  // namespace

ViewSetBytes MeasureViewSet(const ViewSet& views) {
  ViewSetBytes bytes;
  SharedTexts shared;
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
      bytes.fired_rules +=
          shared.Heap(fired.rule) + shared.Heap(fired.tier) + shared.Heap(fired.reason);
    }
    bytes.reason_texts += Heap(a.reasons) + shared.Heap(a.top_reasons);
    for (const SharedText& reason : a.reasons) bytes.reason_texts += shared.Heap(reason);
    bytes.action_texts += Heap(a.actions) + shared.Heap(a.recommended_actions);
    for (const SharedText& action : a.actions) bytes.action_texts += shared.Heap(action);
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
