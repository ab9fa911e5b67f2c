#include "streamed_signals.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "signals/churn_intent_merge.h"

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

std::vector<uint32_t> AppliedDelta::Kept() const {
  std::vector<uint32_t> kept;
  kept.reserve(fate.size());
  for (uint32_t i = 0; i < fate.size(); ++i) {
    if (fate[i] == kKept) kept.push_back(i);
  }
  return kept;
}

AppliedDelta ApplySignalsDelta(const viewsets::ViewSet& views, std::vector<CustomerSignals> changed,
                               const std::vector<std::string>& removed) {
  AppliedDelta delta;
  delta.fate.assign(views.at_risk().size(), AppliedDelta::kKept);
  for (const std::string& id : removed) {
    if (std::optional<uint32_t> at = views.FindPosition(id))
      delta.fate[*at] = AppliedDelta::kRemoved;
  }
  // Replacing ones first, new ones after (CustomerKeysAfter's order relies on it).
  std::vector<CustomerSignals> added;
  delta.changed.reserve(changed.size());
  for (CustomerSignals& customer : changed) {
    std::optional<uint32_t> at = views.FindPosition(customer.customer_id);
    if (at && delta.fate[*at] == AppliedDelta::kKept) {
      delta.fate[*at] = static_cast<uint32_t>(delta.changed.size());
      delta.changed.push_back(std::move(customer));
    } else {
      added.push_back(std::move(customer));
    }
  }
  delta.replaced = delta.changed.size();
  for (CustomerSignals& customer : added) delta.changed.push_back(std::move(customer));
  return delta;
}

std::vector<tickets::CustomerKeys> CustomerKeysAfter(const viewsets::ViewSet& views,
                                                     const AppliedDelta& delta) {
  std::vector<tickets::CustomerKeys> keys;
  keys.reserve(views.at_risk().size() + delta.changed.size() - delta.replaced);
  for (uint32_t i = 0; i < delta.fate.size(); ++i) {
    const uint32_t fate = delta.fate[i];
    if (fate == AppliedDelta::kRemoved) continue;
    const CustomerSignals& customer =
        fate == AppliedDelta::kKept ? views.at_risk()[i].signals : delta.changed[fate];
    keys.push_back({customer.customer_id, customer.account_id});
  }
  for (size_t i = delta.replaced; i < delta.changed.size(); ++i) {
    keys.push_back({delta.changed[i].customer_id, delta.changed[i].account_id});
  }
  return keys;
}

StreamedIntent MergeIntentAfterDelta(const viewsets::ViewSet& views, const StreamedIntent& streamed,
                                     const absl::flat_hash_map<std::string, int64_t>& intent,
                                     AppliedDelta* delta) {
  // A kept row's streamed value is its own unless `streamed` says otherwise; its merged value
  // can only move when `intent` or `streamed` names it.
  StreamedIntent after;
  absl::flat_hash_set<std::string_view> named;
  for (const auto& [id, count] : intent) named.insert(id);
  for (const auto& [id, value] : streamed) named.insert(id);
  std::vector<CustomerSignals> moved;
  for (std::string_view name : named) {
    const std::string id(name);  // (absl's maps here take std::string keys, not std views)
    std::optional<uint32_t> at = views.FindPosition(id);
    if (!at || delta->fate[*at] != AppliedDelta::kKept) continue;
    const CustomerSignals& held = views.at_risk()[*at].signals;
    auto streamed_it = streamed.find(id);
    const int64_t as_streamed =
        streamed_it != streamed.end() ? streamed_it->second : held.churn_intent_30d;
    auto intent_it = intent.find(id);
    const int64_t merged =
        intent_it != intent.end() ? std::max(as_streamed, intent_it->second) : as_streamed;
    if (merged == held.churn_intent_30d) {
      if (merged != as_streamed) after[id] = as_streamed;
      continue;
    }
    // Scored again with the new value: it joins the changed signals, as streamed.
    delta->fate[*at] = static_cast<uint32_t>(delta->changed.size() + moved.size());
    CustomerSignals& customer = moved.emplace_back(held);
    customer.churn_intent_30d = as_streamed;
  }
  if (!moved.empty()) {
    // Inserted among the replacing ones (before the new customers): renumber the new ones.
    const size_t first_new = delta->replaced;
    const size_t new_count = delta->changed.size() - first_new;
    std::vector<CustomerSignals> changed;
    changed.reserve(delta->changed.size() + moved.size());
    for (size_t i = 0; i < first_new; ++i) changed.push_back(std::move(delta->changed[i]));
    for (uint32_t& fate : delta->fate) {
      if (fate != AppliedDelta::kKept && fate != AppliedDelta::kRemoved &&
          fate >= delta->changed.size()) {
        fate = static_cast<uint32_t>(fate - delta->changed.size() + first_new);
      }
    }
    for (CustomerSignals& customer : moved) changed.push_back(std::move(customer));
    for (size_t i = 0; i < new_count; ++i)
      changed.push_back(std::move(delta->changed[first_new + i]));
    delta->replaced = first_new + moved.size();
    delta->changed = std::move(changed);
  }
  std::vector<int64_t> as_streamed(delta->changed.size());
  for (size_t i = 0; i < delta->changed.size(); ++i) {
    as_streamed[i] = delta->changed[i].churn_intent_30d;
  }
  signals::MergeChurnIntent(intent, delta->changed);
  for (auto& [id, value] : IntentRaisedByMerge(as_streamed, delta->changed)) after[id] = value;
  return after;
}

}  // namespace churn::gateway
