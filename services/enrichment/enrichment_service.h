#pragma once
// churn.v1.EnrichmentService: a thin gRPC adapter over libs/enrichment's TicketEnricher.
//
// Model calls block for up to the ticket's timeout, so they never run on gRPC's callback threads:
// each call runs as a task on the service's bounded executor (RESOURCE_EXHAUSTED when it is
// full), cancelled (std::stop_token) when the client cancels or the server shuts down. A ticket's
// timeout counts from the call's arrival, so time spent waiting for a thread is part of it.
// Every ticket comes back with an analysis (the fallback's when the model failed, with `error`
// saying why); only a bad request or a full executor fails the RPC.

#include <chrono>
#include <cstdint>
#include <memory>

#include "churn/v1/enrichment.grpc.pb.h"
#include "concurrency/bounded_executor.h"
#include "enrichment/ticket_enricher.h"

namespace churn::enrichment_service {

struct EnrichmentServiceOptions {
  int64_t max_batch = 10000;  // tickets per AnalyzeTickets request
};

class EnrichmentService final : public v1::EnrichmentService::CallbackService {
 public:
  // `enricher` and `executor` must outlive the service (and every call it serves).
  EnrichmentService(EnrichmentServiceOptions options, enrichment::TicketEnricher* enricher,
                    concurrency::BoundedExecutor* executor);

  grpc::ServerUnaryReactor* AnalyzeTicket(grpc::CallbackServerContext* context,
                                          const v1::AnalyzeTicketRequest* request,
                                          v1::AnalyzeTicketResponse* response) override;
  grpc::ServerWriteReactor<v1::AnalyzeTicketsResponse>* AnalyzeTickets(
      grpc::CallbackServerContext* context, const v1::AnalyzeTicketsRequest* request) override;

 private:
  const EnrichmentServiceOptions options_;
  enrichment::TicketEnricher* const enricher_;
  concurrency::BoundedExecutor* const executor_;
};

}  // namespace churn::enrichment_service
