#pragma once
// The Go name of a gRPC status code, as grpc-prometheus writes it into the grpc_code label and
// churnctl prints it. A target of its own: churnctl needs it without the server shell.

#include <grpcpp/support/status.h>

namespace churn::service {

// "OK", "InvalidArgument", "DeadlineExceeded", ...
const char* GrpcCodeName(grpc::StatusCode code);

}  // namespace churn::service
