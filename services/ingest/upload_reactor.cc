#include "upload_reactor.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "ingest_service.h"

namespace churn::ingest_service {

UploadTableReactor::UploadTableReactor(IngestService* service, grpc::CallbackServerContext* context,
                                       v1::UploadTableResponse* response)
    : service_(service), context_(context), response_(response) {
  StartRead(&request_);
}

void UploadTableReactor::OnReadDone(bool ok) {
  if (ok) {
    absl::Status accepted = Accept(request_);
    if (!accepted.ok()) {
      End(accepted);
      return;
    }
    StartRead(&request_);
    return;
  }
  // The client closed its side, so the file is complete (Complete() refuses a cancelled call,
  // whose reads end the same way). Validating it is a full load: on the executor.
  absl::Status queued = service_->executor()->Submit([this] { End(Complete()); });
  if (!queued.ok()) End(queued);
}

absl::Status UploadTableReactor::Accept(const v1::UploadTableRequest& request) {
  const int64_t limit = service_->max_upload_bytes();
  switch (request.part_case()) {
    case v1::UploadTableRequest::kHeader: {
      if (header_) return absl::InvalidArgumentError("header: only the first message may carry it");
      const v1::UploadTableHeader& header = request.header();
      if (header.table() == v1::TABLE_KIND_UNSPECIFIED || !v1::TableKind_IsValid(header.table())) {
        return absl::InvalidArgumentError(absl::StrCat(
            "header.table: must name one of the five tables or TABLE_KIND_TICKET_TEXT, got ",
            header.table()));
      }
      if (header.total_bytes() > limit) {
        return absl::ResourceExhaustedError(
            absl::StrCat("header.total_bytes: ", header.total_bytes(),
                         " bytes exceed the upload limit of ", limit, " bytes"));
      }
      header_ = header;
      staged_path_ = service_->StagingPath(header.file_name());
      staged_.open(staged_path_, std::ios::binary | std::ios::trunc);
      if (!staged_)
        return absl::InternalError(absl::StrCat("cannot stage the upload in ", staged_path_));
      return absl::OkStatus();
    }
    case v1::UploadTableRequest::kChunk: {
      if (!header_) return absl::InvalidArgumentError("header: the first message must carry it");
      bytes_received_ += static_cast<int64_t>(request.chunk().size());
      if (bytes_received_ > limit) {
        return absl::ResourceExhaustedError(absl::StrCat("upload exceeds the limit of ", limit,
                                                         " bytes (", bytes_received_,
                                                         " received so far)"));
      }
      staged_.write(request.chunk().data(), static_cast<std::streamsize>(request.chunk().size()));
      if (!staged_) return absl::InternalError(absl::StrCat("cannot write ", staged_path_));
      return absl::OkStatus();
    }
    case v1::UploadTableRequest::PART_NOT_SET: break;
  }
  return absl::InvalidArgumentError("part: each message carries the header or a chunk");
}

absl::Status UploadTableReactor::Complete() {
  // A cancelled call also ends the reads: its file may be cut short, so it is never applied.
  if (context_->IsCancelled()) return absl::CancelledError("upload cancelled by the client");
  if (!header_) return absl::InvalidArgumentError("header: the first message must carry it");
  staged_.close();
  if (staged_.fail()) return absl::InternalError(absl::StrCat("cannot write ", staged_path_));
  response_->set_bytes_received(bytes_received_);
  handed_over_ = true;
  return service_->ApplyUpload(*header_, staged_path_, response_);
}

void UploadTableReactor::End(const absl::Status& status) {
  if (!handed_over_ && !staged_path_.empty()) {
    staged_.close();
    std::error_code ignored;
    std::filesystem::remove(staged_path_, ignored);
  }
  if (!status.ok()) response_->Clear();
  Finish(service::ToGrpcStatus(status));  // the last use of `this`: OnDone may free it at once
}

void UploadTableReactor::OnDone() { delete this; }

}  // namespace churn::ingest_service
