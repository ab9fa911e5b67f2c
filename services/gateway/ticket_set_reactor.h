#pragma once
// The AnalyzeTicketSet stream: a task on the gateway's executor runs the batch
// (TicketAnalyzer::AnalyzeSet) and pushes each progress message into a QueuedWriteReactor. A small
// queue bounds memory when the client reads slowly (the batch waits), and a client that goes away
// stops the batch at its next message.

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include "churn/v1/gateway.pb.h"
#include "common/queued_write_reactor.h"
#include "concurrency/bounded_executor.h"
#include "concurrency/mutex.h"
#include "ticket_analyzer.h"

namespace churn::gateway {

// Queues the batch on `executor` (the call fails with RESOURCE_EXHAUSTED when it is full).
grpc::ServerWriteReactor<v1::AnalyzeTicketSetResponse>* StartTicketSetStream(
    grpc::CallbackServerContext* context, const v1::AnalyzeTicketSetRequest& request,
    TicketAnalyzer* analyzer, concurrency::BoundedExecutor* executor);

}  // namespace churn::gateway
