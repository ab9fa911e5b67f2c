#pragma once
// The signals ingest streamed for the views in force, recovered from the views themselves, so a
// delta stream (StreamSignals with base_snapshot_version) is applied to them without the gateway
// holding, or copying, a second set of every customer's signals. The views hold the signals after
// the churn intent merge raised churn_intent_30d; ingest's own value is kept where it differed.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "signals/customer_signals.h"
#include "tickets/customer_linkage.h"
#include "viewsets/view_set.h"

namespace churn::gateway {

// customer_id -> churn_intent_30d as ingest streamed it, for the customers whose merged value
// differs.
using StreamedIntent = absl::flat_hash_map<std::string, int64_t>;

// What the merge changed: streamed_intent[i] is merged[i]'s churn_intent_30d before the merge.
StreamedIntent IntentRaisedByMerge(const std::vector<int64_t>& streamed_intent,
                                   const std::vector<CustomerSignals>& merged);

// A delta applied to the views it was asked against: each row of the views stays (kKept),
// leaves (kRemoved) or is replaced by changed[fate]; changed signals beyond those replacing a row
// are new customers.
struct AppliedDelta {
  static constexpr uint32_t kKept = UINT32_MAX;
  static constexpr uint32_t kRemoved = UINT32_MAX - 1;
  std::vector<uint32_t> fate;            // per row of the views' at_risk()
  std::vector<CustomerSignals> changed;  // as streamed (before the churn intent merge)
  size_t replaced = 0;                   // how many of `changed` replace a row

  // The positions of the rows that stay, ascending.
  std::vector<uint32_t> Kept() const;
};

// `changed` replaces the customer with its id (or is new) and the `removed` ids leave.
AppliedDelta ApplySignalsDelta(const viewsets::ViewSet& views, std::vector<CustomerSignals> changed,
                               const std::vector<std::string>& removed);

// The keys of every customer after the delta, in the order the full signals would have them
// (the views' order with replaced rows in place, then the new customers).
std::vector<tickets::CustomerKeys> CustomerKeysAfter(const viewsets::ViewSet& views,
                                                     const AppliedDelta& delta);

// Merges `intent` (customer_id -> count, signals::MergeChurnIntent) into the delta's changed
// signals, and moves into `changed` (with its streamed signals) every kept row whose merged
// value differs from the one the views hold. `streamed` is what the views' rows were streamed
// with; returns the same for the customers after the delta. Only the customers named in
// `intent` or `streamed` can move, so the kept rows are not visited.
StreamedIntent MergeIntentAfterDelta(const viewsets::ViewSet& views, const StreamedIntent& streamed,
                                     const absl::flat_hash_map<std::string, int64_t>& intent,
                                     AppliedDelta* delta);

}  // namespace churn::gateway
