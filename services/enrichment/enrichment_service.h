#pragma once
// churn.v1.EnrichmentService: a thin gRPC adapter over libs/enrichment's TicketEnricher.
//
// Model calls block for up to the ticket's timeout, so they never run on gRPC's callback threads:
// each call gets a worker thread, cancelled (std::stop_token) when the client cancels or the
// server shuts down, and joined before the call's reactor is freed. Every ticket comes back with
// an analysis (the fallback's when the model failed, with `error` saying why); only a bad request
// fails the RPC.

#include <chrono>
#include <cstdint>
#include <memory>

#include "churn/v1/enrichment.grpc.pb.h"
#include "enrichment/ticket_enricher.h"

namespace churn::enrichment_service {

struct EnrichmentServiceOptions {
  int64_t max_batch = 10000;  // tickets per AnalyzeTickets request
};

// The proto form of a result (the one place that maps it).
void ResultToProto(const enrichment::EnrichmentResult& result, v1::TicketAnalysis* proto);

class EnrichmentService final : public v1::EnrichmentService::CallbackService {
 public:
  // `enricher` must outlive the service (and every call it serves).
  EnrichmentService(EnrichmentServiceOptions options, enrichment::TicketEnricher* enricher);

  grpc::ServerUnaryReactor* AnalyzeTicket(grpc::CallbackServerContext* context,
                                          const v1::AnalyzeTicketRequest* request,
                                          v1::AnalyzeTicketResponse* response) override;
  grpc::ServerWriteReactor<v1::AnalyzeTicketsResponse>* AnalyzeTickets(
      grpc::CallbackServerContext* context, const v1::AnalyzeTicketsRequest* request) override;

 private:
  const EnrichmentServiceOptions options_;
  enrichment::TicketEnricher* const enricher_;
};

}  // namespace churn::enrichment_service
