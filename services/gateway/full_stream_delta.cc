#include "full_stream_delta.h"

#include <utility>

namespace churn::gateway {

FullStreamDelta::FullStreamDelta(const viewsets::ViewSet& views, const StreamedIntent& streamed)
    : views_(views), streamed_(streamed), named_(views.at_risk().size(), 0) {}

int64_t FullStreamDelta::StreamedIntentOf(uint32_t position) const {
  const CustomerSignals& held = views_.at_risk()[position].signals;
  auto it = streamed_.find(held.customer_id);
  return it != streamed_.end() ? it->second : held.churn_intent_30d;
}

void FullStreamDelta::Add(CustomerSignals customer) {
  if (std::optional<uint32_t> at = views_.FindPosition(customer.customer_id)) {
    if (named_[*at] != 0) repeated_ = true;
    named_[*at] = 1;
    // Compared as streamed: the row holds the merged intent, the stream ingest's own.
    const CustomerSignals& held = views_.at_risk()[*at].signals;
    const int64_t intent = customer.churn_intent_30d;
    customer.churn_intent_30d = held.churn_intent_30d;
    const bool same = intent == StreamedIntentOf(*at) && customer == held;
    customer.churn_intent_30d = intent;
    if (same && !repeated_) {
      arrival_.push_back(kDropped | *at);
      return;
    }
  } else if (!new_ids_.insert(customer.customer_id).second) {
    repeated_ = true;
  }
  arrival_.push_back(static_cast<uint32_t>(changed_.size()));
  changed_.push_back(std::move(customer));
}

std::vector<std::string> FullStreamDelta::RemovedIds() const {
  std::vector<std::string> removed;
  for (uint32_t i = 0; i < named_.size(); ++i) {
    if (named_[i] == 0) removed.push_back(views_.at_risk()[i].signals.customer_id);
  }
  return removed;
}

std::vector<CustomerSignals> FullStreamDelta::TakeAll() {
  std::vector<CustomerSignals> all;
  all.reserve(arrival_.size());
  for (uint32_t arrival : arrival_) {
    if ((arrival & kDropped) == 0) {
      all.push_back(std::move(changed_[arrival]));
      continue;
    }
    const uint32_t position = arrival & ~kDropped;
    CustomerSignals& customer = all.emplace_back(views_.at_risk()[position].signals);
    customer.churn_intent_30d = StreamedIntentOf(position);
  }
  changed_ = {};
  arrival_ = {};
  return all;
}

}  // namespace churn::gateway
