#pragma once
// UploadTable: a client stream of one header and the file's bytes. The bytes go straight to a
// staging file (memory stays flat whatever the size), the size limit is enforced as they
// arrive (and up front when the header declares the size), and the completed file is handed
// to IngestService::ApplyUpload, which validates it by a full load.

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "churn/v1/ingest.grpc.pb.h"

namespace churn::ingest_service {

class IngestService;

class UploadTableReactor final : public grpc::ServerReadReactor<v1::UploadTableRequest> {
 public:
  UploadTableReactor(IngestService* service, grpc::CallbackServerContext* context,
                     v1::UploadTableResponse* response);

  void OnReadDone(bool ok) override;
  void OnDone() override;

 private:
  absl::Status Accept(const v1::UploadTableRequest& request);
  absl::Status Complete();
  void End(const absl::Status& status);

  IngestService* const service_;
  grpc::CallbackServerContext* const context_;
  v1::UploadTableResponse* const response_;
  v1::UploadTableRequest request_;
  std::optional<v1::UploadTableHeader> header_;
  std::string staged_path_;
  std::ofstream staged_;
  int64_t bytes_received_ = 0;
  bool handed_over_ = false;  // ApplyUpload owns the staged file from then on
};

}  // namespace churn::ingest_service
