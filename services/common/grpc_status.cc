#include "common/grpc_status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/absl_compat.h"
#include "common/public_error.h"

namespace churn::service {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.raw_code()), PublicErrorMessage(status));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

grpc::ServerUnaryReactor* FinishWith(grpc::CallbackServerContext* context,
                                     const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

absl::Status DownstreamError(std::string_view what, const grpc::Status& status) {
  absl::Status converted = FromGrpcStatus(status);
  return absl::Status(converted.code(), absl::StrCat(ToAbsl(what), ": ", converted.message()));
}

}  // namespace churn::service
