#include "data_set_upload_reactor.h"

#include "common/grpc_status.h"
#include "common/logging.h"
#include "convert/data_set_convert.h"
#include "ingest_service.h"

namespace churn::ingest_service {

DataSetUploadReactor::DataSetUploadReactor(IngestService* service,
                                           grpc::CallbackServerContext* context,
                                           v1::UploadDataSetResponse* response)
    : service_(service), context_(context), response_(response) {
  StartRead(&request_);
}

void DataSetUploadReactor::OnReadDone(bool ok) {
  if (ok) {
    absl::Status accepted = Accept(request_);
    if (!accepted.ok()) {
      End(accepted);
      return;
    }
    StartRead(&request_);
    return;
  }
  // Validation reads every table: on the executor, never on a gRPC thread.
  absl::Status queued = service_->executor()->Submit([this] { End(Complete()); });
  if (!queued.ok()) End(queued);
}

absl::Status DataSetUploadReactor::Accept(const v1::UploadDataSetRequest& request) {
  switch (request.part_case()) {
    case v1::UploadDataSetRequest::kName: {
      if (upload_) return absl::InvalidArgumentError("name: only the first message may carry it");
      if (service_->data_sets() == nullptr) return absl::UnavailableError("ingest is starting");
      absl::StatusOr<std::unique_ptr<data_sets::DataSetUpload>> upload =
          service_->data_sets()->BeginUpload(request.name());
      if (!upload.ok()) return upload.status();
      upload_ = *std::move(upload);
      return absl::OkStatus();
    }
    case v1::UploadDataSetRequest::kFileName:
      if (!upload_) return absl::InvalidArgumentError("name: the first message must carry it");
      return upload_->StartFile(request.file_name());
    case v1::UploadDataSetRequest::kChunk:
      if (!upload_) return absl::InvalidArgumentError("name: the first message must carry it");
      return upload_->Append(request.chunk());
    case v1::UploadDataSetRequest::PART_NOT_SET: break;
  }
  return absl::InvalidArgumentError("part: each message carries the name, a file_name or a chunk");
}

absl::Status DataSetUploadReactor::Complete() {
  // A cancelled call also ends the reads: its files may be cut short, so it is never kept.
  if (context_->IsCancelled()) return absl::CancelledError("upload cancelled by the client");
  if (!upload_) return absl::InvalidArgumentError("name: the first message must carry it");
  response_->set_bytes_received(upload_->bytes_received());
  absl::StatusOr<data_sets::DataSetInfo> info = upload_->Finish();
  if (!info.ok()) {
    service::LogWarn("data_set_rejected", {{"name", upload_->name()}, {"error", info.status()}});
    return info.status();
  }
  convert::ToProto(*info, response_->mutable_data_set());
  service::LogInfo("data_set_uploaded", {{"name", info->name},
                                         {"files", static_cast<int64_t>(info->files.size())},
                                         {"bytes", info->bytes}});
  return absl::OkStatus();
}

void DataSetUploadReactor::End(const absl::Status& status) {
  upload_.reset();  // an unfinished upload removes its staging folder
  if (!status.ok()) response_->Clear();
  Finish(service::ToGrpcStatus(status));  // the last use of `this`: OnDone may free it at once
}

void DataSetUploadReactor::OnDone() { delete this; }

}  // namespace churn::ingest_service
