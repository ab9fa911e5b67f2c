#pragma once
// The seam where ticket enrichment feeds scoring: linked, analysed tickets flagged with
// cancellation intent in the last 30 days, counted per customer_id, merged into the signals
// (churn_intent_30d) before they are scored.
//
// LinkedTicketIntent is the transport of that pass: it lists the linked ticket sets (ingest
// ListTicketTextSets, `linked`; demo sets never feed scores, docs/PRODUCT.md "Ticket analysis"),
// streams their texts (StreamTicketTexts) and analyses the tickets worth it through enrichment
// AnalyzeTickets (its cache makes repeats free; the model or the fallback, whichever answered).
// Which tickets count and for whom is tickets::ChurnIntentTally's; the orchestrator calls this on
// every rebuild and merges the result into the signals (signals::MergeChurnIntent).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "call_scope.h"
#include "churn/v1/common.pb.h"
#include "linked_ticket_analyses.h"
#include "signals/customer_signals.h"
#include "tickets/churn_intent_linkage.h"

namespace churn::gateway {

using tickets::ChurnIntentByCustomer;

// Every customer's keys, asked for only when a linked set needs them (a refresh from a delta
// holds no list of every customer's signals to hand over).
using CustomerKeysSource = std::function<std::vector<tickets::CustomerKeys>()>;

using ChurnIntentSource = std::function<absl::StatusOr<ChurnIntentByCustomer>(
    const CallScope& scope, const v1::SnapshotInfo& snapshot, const CustomerKeysSource& customers)>;

struct LinkedTicketIntentOptions {
  std::chrono::milliseconds list_deadline{2000};   // ListTicketTextSets
  std::chrono::milliseconds pass_deadline{30000};  // streaming and analysing, all sets
  std::chrono::milliseconds ticket_timeout{10000};  // the model's time per ticket
};

// Also publishes each pass's analyses per customer into `analyses` (for the customer brief).
ChurnIntentSource LinkedTicketIntent(std::shared_ptr<grpc::Channel> ingest,
                                     std::shared_ptr<grpc::Channel> enrichment,
                                     LinkedTicketIntentOptions options,
                                     LinkedTicketAnalyses* analyses);

}  // namespace churn::gateway
