// GatewayService's data set calls: each waits on ingest (and a selection on a view rebuild), so
// they run on the service's bounded executor with the caller's deadline.
#include <functional>

#include "common/grpc_status.h"
#include "gateway_service.h"

namespace churn::gateway {
namespace {

// Runs `work` on the executor and finishes the call with its status.
grpc::ServerUnaryReactor* OnExecutor(grpc::CallbackServerContext* context,
                                     concurrency::BoundedExecutor* executor,
                                     std::function<absl::Status(const CallScope&)> work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const CallScope scope = CallScope::ForRpc(context);
  absl::Status queued = executor->Submit([reactor, scope, work = std::move(work)] {
    reactor->Finish(service::ToGrpcStatus(work(scope)));
  });
  if (!queued.ok()) reactor->Finish(service::ToGrpcStatus(queued));
  return reactor;
}

// Copies a relayed answer into the response, or returns why there is none.
template <typename Message>
absl::Status Fill(absl::StatusOr<Message> result, Message* response) {
  if (!result.ok()) return result.status();
  *response = *std::move(result);
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* GatewayService::UploadDataSet(
    grpc::CallbackServerContext* context, const v1::UploadDataSetFilesRequest* request,
    v1::UploadDataSetResponse* response) {
  if (data_sets_ == nullptr) {
    return service::FinishWith(context, absl::UnavailableError("data sets are not available"));
  }
  return OnExecutor(context, executor_, [this, request, response](const CallScope& scope) {
    return Fill(data_sets_->Upload(scope, *request), response);
  });
}

grpc::ServerUnaryReactor* GatewayService::ListDataSets(grpc::CallbackServerContext* context,
                                                       const v1::ListDataSetsRequest* /*request*/,
                                                       v1::ListDataSetsResponse* response) {
  if (data_sets_ == nullptr) {
    return service::FinishWith(context, absl::UnavailableError("data sets are not available"));
  }
  return OnExecutor(context, executor_, [this, response](const CallScope& scope) {
    return Fill(data_sets_->List(scope), response);
  });
}

grpc::ServerUnaryReactor* GatewayService::SelectDataSet(grpc::CallbackServerContext* context,
                                                        const v1::SelectDataSetRequest* request,
                                                        v1::SelectDataSetResponse* response) {
  if (data_sets_ == nullptr) {
    return service::FinishWith(context, absl::UnavailableError("data sets are not available"));
  }
  return OnExecutor(context, executor_, [this, request, response](const CallScope& scope) {
    return Fill(data_sets_->Select(scope, *request), response);
  });
}

}  // namespace churn::gateway
