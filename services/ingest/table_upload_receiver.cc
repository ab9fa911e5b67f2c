#include "table_upload_receiver.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "ingest_service.h"

namespace churn::ingest_service {

TableUploadReceiver::~TableUploadReceiver() {
  if (!handed_over_ && !staged_path_.empty()) {
    staged_.close();
    std::error_code ignored;
    std::filesystem::remove(staged_path_, ignored);
  }
}

absl::Status TableUploadReceiver::Accept(const v1::UploadTableRequest& request) {
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

absl::Status TableUploadReceiver::Complete(v1::UploadTableResponse* response) {
  if (!header_) return absl::InvalidArgumentError("header: the first message must carry it");
  staged_.close();
  if (staged_.fail()) return absl::InternalError(absl::StrCat("cannot write ", staged_path_));
  response->set_bytes_received(bytes_received_);
  handed_over_ = true;
  return service_->ApplyUpload(*header_, staged_path_, response);
}

}  // namespace churn::ingest_service
