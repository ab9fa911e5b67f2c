#pragma once
// The signals ingest streamed for the views in force, recovered from the views themselves, so a
// delta stream (StreamSignals with base_snapshot_version) can be applied to them without the
// gateway holding a second copy of every customer's signals. The views hold the signals after
// the churn intent merge raised churn_intent_30d; ingest's own value is kept where it differed.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "signals/customer_signals.h"
#include "viewsets/view_set.h"

namespace churn::gateway {

// customer_id -> churn_intent_30d as ingest streamed it, for the customers whose merged value
// differs.
using StreamedIntent = absl::flat_hash_map<std::string, int64_t>;

// What the merge changed: streamed_intent[i] is merged[i]'s churn_intent_30d before the merge.
StreamedIntent IntentRaisedByMerge(const std::vector<int64_t>& streamed_intent,
                                   const std::vector<CustomerSignals>& merged);

// The signals as ingest streamed them for `views` (at-risk order).
std::vector<CustomerSignals> StreamedSignalsOf(const viewsets::ViewSet& views,
                                               const StreamedIntent& intent);

// Applies a delta to `base`: `changed` replaces the customer with its id (or is added) and
// the `removed` ids leave. The order of the result is unspecified (the views sort it).
void ApplySignalsDelta(std::vector<CustomerSignals> changed,
                       const std::vector<std::string>& removed, std::vector<CustomerSignals>* base);

}  // namespace churn::gateway
