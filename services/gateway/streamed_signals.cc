#include "streamed_signals.h"

#include <string_view>
#include <utility>

#include "absl/container/flat_hash_set.h"

namespace churn::gateway {

StreamedIntent IntentRaisedByMerge(const std::vector<int64_t>& streamed_intent,
                                   const std::vector<CustomerSignals>& merged) {
  StreamedIntent intent;
  for (size_t i = 0; i < streamed_intent.size() && i < merged.size(); ++i) {
    if (streamed_intent[i] != merged[i].churn_intent_30d) {
      intent[merged[i].customer_id] = streamed_intent[i];
    }
  }
  return intent;
}

std::vector<CustomerSignals> StreamedSignalsOf(const viewsets::ViewSet& views,
                                               const StreamedIntent& intent) {
  std::vector<CustomerSignals> signals;
  signals.reserve(views.at_risk().size());
  for (const reports::ScoredCustomer& row : views.at_risk()) {
    CustomerSignals& customer = signals.emplace_back(row.signals);
    if (!intent.empty()) {
      auto it = intent.find(customer.customer_id);
      if (it != intent.end()) customer.churn_intent_30d = it->second;
    }
  }
  return signals;
}

void ApplySignalsDelta(std::vector<CustomerSignals> changed,
                       const std::vector<std::string>& removed,
                       std::vector<CustomerSignals>* base) {
  if (changed.empty() && removed.empty()) return;
  absl::flat_hash_map<std::string_view, size_t> position;
  position.reserve(base->size());
  for (size_t i = 0; i < base->size(); ++i) position.try_emplace((*base)[i].customer_id, i);
  // Looked up first, replaced after: the keys point into the rows being replaced.
  std::vector<std::pair<size_t, CustomerSignals*>> replaced;
  std::vector<CustomerSignals> added;
  for (CustomerSignals& customer : changed) {
    auto it = position.find(customer.customer_id);
    if (it == position.end()) {
      added.push_back(std::move(customer));
    } else {
      replaced.emplace_back(it->second, &customer);
    }
  }
  position.clear();
  for (auto& [index, customer] : replaced) (*base)[index] = std::move(*customer);
  if (!removed.empty()) {
    const absl::flat_hash_set<std::string_view> gone(removed.begin(), removed.end());
    std::erase_if(*base, [&](const CustomerSignals& customer) {
      return gone.contains(customer.customer_id);
    });
  }
  for (CustomerSignals& customer : added) base->push_back(std::move(customer));
}

}  // namespace churn::gateway
