#pragma once
// The Ticket Analyzer behind the gateway: forwards to the enrichment service (model, cache,
// per-ticket deadlines live there) and, when enrichment cannot answer, analyses the ticket with
// the rule-based fallback (libs/tickets) right here, labelled source "fallback" with the error
// that made it necessary, so the analyzer keeps working without the model or the service.
// The batch form pulls a ticket set's texts from ingest (or parses an uploaded CSV) and streams
// them through enrichment AnalyzeTickets, passing the progress on.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "call_scope.h"
#include "churn/v1/enrichment.grpc.pb.h"
#include "churn/v1/gateway.pb.h"
#include "churn/v1/ingest.grpc.pb.h"
#include "gateway_metrics.h"

namespace churn::gateway {

struct TicketAnalyzerOptions {
  std::chrono::milliseconds ingest_deadline{2000};           // ListTicketTextSets
  std::chrono::milliseconds analyze_ticket_deadline{65000};  // one ticket, no timeout given
  std::chrono::milliseconds analyze_set_deadline{3600000};   // a whole set
  int64_t max_upload_bytes = int64_t{8} << 20;
};

// Per message of a batch; false stops the batch (the client went away).
using EmitProgress = std::function<bool(const v1::AnalyzeTicketSetResponse&)>;

class TicketAnalyzer {
 public:
  TicketAnalyzer(TicketAnalyzerOptions options, std::shared_ptr<grpc::Channel> ingest,
                 std::shared_ptr<grpc::Channel> enrichment, GatewayMetrics* metrics);

  // INVALID_ARGUMENT for a request without text or with a negative timeout.
  static absl::Status Validate(const v1::AnalyzeTicketTextRequest& request);
  // What the gateway asks enrichment for a user's ticket: the user's fields, and the gateway's
  // own choices for the rest (the enrichment cache is always used).
  static v1::AnalyzeTicketRequest EnrichmentRequest(const v1::AnalyzeTicketTextRequest& request);
  // The rule-based reading of the request's text, labelled with why the model was not used.
  static v1::TicketAnalysis Fallback(const v1::AnalyzeTicketRequest& request,
                                     const absl::Status& why);

  // Blocking form (HTTP).
  absl::StatusOr<v1::AnalyzeTicketTextResponse> Analyze(
      const CallScope& scope, const v1::AnalyzeTicketTextRequest& request);
  // Non-blocking form (gRPC callback API): `done` runs once, on a gRPC thread, after
  // `response` is filled.
  void AnalyzeAsync(const CallScope& scope, const v1::AnalyzeTicketTextRequest& request,
                    v1::AnalyzeTicketTextResponse* response,
                    std::function<void(absl::Status)> done);

  // Runs a batch, calling `emit` per finished ticket (the first message also says which text
  // columns were used and whether the set is linked). Tickets that enrichment could not analyse
  // come back from the fallback with the error. Blocking.
  absl::Status AnalyzeSet(const CallScope& scope, const v1::AnalyzeTicketSetRequest& request,
                          const EmitProgress& emit);

  // The ticket text sets ingest offers.
  absl::StatusOr<v1::ListTicketTextSetsResponse> ListSets(const CallScope& scope);

 private:
  std::chrono::milliseconds TicketDeadline(int32_t timeout_ms) const;
  // Whether an enrichment failure should be answered by the fallback (not a caller mistake).
  static bool UseFallbackFor(const absl::Status& status);

  const TicketAnalyzerOptions options_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
  std::unique_ptr<v1::EnrichmentService::Stub> enrichment_;
  GatewayMetrics* metrics_;
};

}  // namespace churn::gateway
