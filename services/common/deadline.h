#pragma once
// Deadlines on every outgoing call: a downstream call made while serving an RPC inherits the
// caller's deadline (and cancellation), capped by a per-call default, so a slow dependency can
// never hold a request longer than its caller is willing to wait.

#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>

#include <chrono>
#include <memory>

namespace churn::service {

// `incoming` may be null (a call made outside any RPC, e.g. a background refresh): then the
// deadline is now + default_timeout.
std::unique_ptr<grpc::ClientContext> MakeDownstreamContext(
    const grpc::CallbackServerContext* incoming, std::chrono::milliseconds default_timeout);

}  // namespace churn::service
