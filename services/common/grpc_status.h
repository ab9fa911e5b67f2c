#pragma once
// The one place where internal errors (absl::Status from the libraries) become gRPC statuses and
// back. The canonical codes have the same numbers in both, so the code is kept as is; the message
// is what an outside caller may read (PublicErrorMessage: no server folders, internal detail
// only in the log).

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace churn::service {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace churn::service
