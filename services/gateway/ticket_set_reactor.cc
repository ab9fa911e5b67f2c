#include "ticket_set_reactor.h"

#include "common/grpc_status.h"

namespace churn::gateway {
namespace {

constexpr size_t kMaxQueued = 16;

}  // namespace

grpc::ServerWriteReactor<v1::AnalyzeTicketSetResponse>* StartTicketSetStream(
    grpc::CallbackServerContext* context, const v1::AnalyzeTicketSetRequest& request,
    TicketAnalyzer* analyzer, concurrency::BoundedExecutor* executor) {
  using Reactor = service::QueuedWriteReactor<v1::AnalyzeTicketSetResponse>;
  auto* reactor = new Reactor(kMaxQueued);
  const CallScope scope = CallScope::ForRpc(context);
  reactor->Start(executor, [reactor, scope, request, analyzer] {
    return service::ToGrpcStatus(analyzer->AnalyzeSet(
        scope, request,
        [reactor](const v1::AnalyzeTicketSetResponse& message) { return reactor->Push(message); }));
  });
  return reactor;
}

}  // namespace churn::gateway
