#include "data_set_relay.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/logging.h"

namespace churn::gateway {
namespace {

// What ingest says about the caller's data goes back as it is; other failures are ingest's.
absl::Status FromIngest(std::string_view what, const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::FAILED_PRECONDITION: return service::FromGrpcStatus(status);
    default: return service::DownstreamError(what, status);
  }
}

}  // namespace

DataSetRelay::DataSetRelay(DataSetRelayOptions options, std::shared_ptr<grpc::Channel> ingest,
                           RefreshOrchestrator* refresher)
    : options_(options), ingest_(v1::IngestService::NewStub(ingest)), refresher_(refresher) {}

absl::StatusOr<v1::UploadDataSetResponse> DataSetRelay::Upload(
    const CallScope& scope, const v1::UploadDataSetFilesRequest& request) {
  std::unique_ptr<grpc::ClientContext> context = scope.NewContext(options_.upload_deadline);
  v1::UploadDataSetResponse response;
  std::unique_ptr<grpc::ClientWriter<v1::UploadDataSetRequest>> writer =
      ingest_->UploadDataSet(context.get(), &response);
  // A failed write means ingest ended the call (a refused name or file, a limit): Finish says why.
  auto send = [&] {
    v1::UploadDataSetRequest message;
    message.set_name(request.name());
    if (!writer->Write(message)) return;
    for (const v1::DataSetFile& file : request.files()) {
      message.set_file_name(file.file_name());
      if (!writer->Write(message)) return;
      const std::string& content = file.content();
      for (size_t offset = 0; offset < content.size(); offset += options_.chunk_bytes) {
        message.set_chunk(content.substr(offset, options_.chunk_bytes));
        if (!writer->Write(message)) return;
      }
    }
    writer->WritesDone();
  };
  send();
  grpc::Status status = writer->Finish();
  if (!status.ok()) return FromIngest("ingest UploadDataSet", status);
  service::LogInfo("data_set_uploaded", {{"name", request.name()},
                                         {"files", static_cast<int64_t>(request.files_size())},
                                         {"bytes", response.bytes_received()}});
  return response;
}

absl::StatusOr<v1::ListDataSetsResponse> DataSetRelay::List(const CallScope& scope) {
  std::unique_ptr<grpc::ClientContext> context = scope.NewContext(options_.list_deadline);
  v1::ListDataSetsResponse response;
  grpc::Status status = ingest_->ListDataSets(context.get(), v1::ListDataSetsRequest(), &response);
  if (!status.ok()) return FromIngest("ingest ListDataSets", status);
  return response;
}

absl::StatusOr<v1::SelectDataSetResponse> DataSetRelay::Select(
    const CallScope& scope, const v1::SelectDataSetRequest& request) {
  std::unique_ptr<grpc::ClientContext> context = scope.NewContext(options_.select_deadline);
  v1::SelectDataSetResponse response;
  grpc::Status status = ingest_->SelectDataSet(context.get(), request, &response);
  if (!status.ok()) return FromIngest("ingest SelectDataSet", status);
  service::LogInfo("data_set_selected",
                   {{"name", request.name()}, {"version", response.snapshot().version()}});
  // The views follow now rather than at the next poll.
  absl::StatusOr<RefreshReport> refreshed = refresher_->RefreshNow(scope, /*reload_data=*/false);
  if (!refreshed.ok()) {
    service::LogWarn("data_set_refresh_failed",
                     {{"name", request.name()}, {"error", refreshed.status()}});
  }
  return response;
}

}  // namespace churn::gateway
