#pragma once
// UploadTable: one header, then the file's bytes. The bytes go straight to a staging file
// (memory stays flat whatever the size), the size limit is enforced as they arrive (and up front
// when the header declares the size), and the completed file is handed to
// IngestService::ApplyUpload, which validates it by a full load.

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "churn/v1/ingest.grpc.pb.h"
#include "upload_stream_reactor.h"

namespace churn::ingest_service {

class IngestService;

class TableUploadReceiver final
    : public UploadReceiver<v1::UploadTableRequest, v1::UploadTableResponse> {
 public:
  explicit TableUploadReceiver(IngestService* service) : service_(service) {}
  ~TableUploadReceiver() override;  // removes the staged file unless ApplyUpload took it

  absl::Status Accept(const v1::UploadTableRequest& request) override;
  absl::Status Complete(v1::UploadTableResponse* response) override;

 private:
  IngestService* const service_;
  std::optional<v1::UploadTableHeader> header_;
  std::string staged_path_;
  std::ofstream staged_;
  int64_t bytes_received_ = 0;
  bool handed_over_ = false;  // ApplyUpload owns the staged file from then on
};

}  // namespace churn::ingest_service
