#pragma once
// The one place where internal errors (absl::Status from the libraries) become gRPC statuses and
// back. The canonical codes have the same numbers in both, so the code is kept as is; the message
// is what an outside caller may read (PublicErrorMessage: no server folders, internal detail
// only in the log).

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include <string_view>

#include "absl/status/status.h"

namespace churn::service {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

// Ends a unary call with `status` (ToGrpcStatus) and returns its reactor, for a handler that
// answers at once: `return FinishWith(context, api->Get(request, response));`.
grpc::ServerUnaryReactor* FinishWith(grpc::CallbackServerContext* context,
                                     const absl::Status& status);

// A neighbour's failed call as "<what>: <message>" ("ingest StreamSignals: ..."), keeping its
// code, so a caller sees which neighbour failed and how (DEADLINE_EXCEEDED stays
// DEADLINE_EXCEEDED).
absl::Status DownstreamError(std::string_view what, const grpc::Status& status);

}  // namespace churn::service
