#include "data_set_upload_receiver.h"

#include "common/logging.h"
#include "convert/data_set_convert.h"
#include "ingest_service.h"

namespace churn::ingest_service {

absl::Status DataSetUploadReceiver::Accept(const v1::UploadDataSetRequest& request) {
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

absl::Status DataSetUploadReceiver::Complete(v1::UploadDataSetResponse* response) {
  if (!upload_) return absl::InvalidArgumentError("name: the first message must carry it");
  response->set_bytes_received(upload_->bytes_received());
  absl::StatusOr<data_sets::DataSetInfo> info = upload_->Finish();
  if (!info.ok()) {
    service::LogWarn("data_set_rejected", {{"name", upload_->name()}, {"error", info.status()}});
    return info.status();
  }
  convert::ToProto(*info, response->mutable_data_set());
  service::LogInfo("data_set_uploaded", {{"name", info->name},
                                         {"files", static_cast<int64_t>(info->files.size())},
                                         {"bytes", info->bytes}});
  return absl::OkStatus();
}

}  // namespace churn::ingest_service
