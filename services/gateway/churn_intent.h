#pragma once
// The seam where ticket enrichment feeds scoring: linked, analysed tickets flagged with
// cancellation intent in the last 30 days, counted per customer_id, merged into the signals
// (churn_intent_30d) before they are scored.
//
// Today this returns an empty map: the ingest service publishes no linked ticket set yet, and
// PRODUCT.md forbids feeding demo (unlinked) sets into scores. When linked sets exist, the
// implementation lists them (ingest ListTicketTextSets, `linked`), streams their texts
// (StreamTicketTexts), analyses them through enrichment AnalyzeTickets (its cache makes repeats
// free) and counts churn_intent per customer over [T-30d, T], T = the support window end. The
// orchestrator already calls it on every rebuild and merges whatever it returns.

#include <cstdint>
#include <functional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "call_scope.h"
#include "churn/v1/common.pb.h"

namespace churn::gateway {

using ChurnIntentByCustomer = absl::flat_hash_map<std::string, int64_t>;

using ChurnIntentSource = std::function<absl::StatusOr<ChurnIntentByCustomer>(
    const CallScope& scope, const v1::SnapshotInfo& snapshot)>;

// The source in use today: no linked ticket sets, so no churn intent from tickets.
ChurnIntentSource NoLinkedTicketSets();

}  // namespace churn::gateway
