#pragma once
// UploadDataSet: the data set's name, then each file's name and bytes. The bytes go straight to
// the data set's staging folder (data_sets::DataSetUpload enforces the limits as they arrive);
// completing validates the upload in full and moves it into place. A failed or cancelled upload
// leaves nothing.

#include <memory>

#include "absl/status/status.h"
#include "churn/v1/ingest.grpc.pb.h"
#include "data_sets/data_set_upload.h"
#include "upload_stream_reactor.h"

namespace churn::ingest_service {

class IngestService;

class DataSetUploadReceiver final
    : public UploadReceiver<v1::UploadDataSetRequest, v1::UploadDataSetResponse> {
 public:
  explicit DataSetUploadReceiver(IngestService* service) : service_(service) {}

  absl::Status Accept(const v1::UploadDataSetRequest& request) override;
  absl::Status Complete(v1::UploadDataSetResponse* response) override;

 private:
  IngestService* const service_;
  std::unique_ptr<data_sets::DataSetUpload> upload_;  // an unfinished one removes its staging
};

}  // namespace churn::ingest_service
