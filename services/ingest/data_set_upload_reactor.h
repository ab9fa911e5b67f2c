#pragma once
// UploadDataSet: a client stream of the data set's name, then each file's name and bytes. The
// bytes go straight to the data set's staging folder (data_sets::DataSetUpload enforces the
// limits as they arrive); when the client closes its side the upload is validated in full and
// moved into place on the service's executor. A failed or cancelled upload leaves nothing.

#include <memory>

#include "absl/status/status.h"
#include "churn/v1/ingest.grpc.pb.h"
#include "data_sets/data_set_upload.h"

namespace churn::ingest_service {

class IngestService;

class DataSetUploadReactor final : public grpc::ServerReadReactor<v1::UploadDataSetRequest> {
 public:
  DataSetUploadReactor(IngestService* service, grpc::CallbackServerContext* context,
                       v1::UploadDataSetResponse* response);

  void OnReadDone(bool ok) override;
  void OnDone() override;

 private:
  absl::Status Accept(const v1::UploadDataSetRequest& request);
  absl::Status Complete();
  void End(const absl::Status& status);

  IngestService* const service_;
  grpc::CallbackServerContext* const context_;
  v1::UploadDataSetResponse* const response_;
  v1::UploadDataSetRequest request_;
  std::unique_ptr<data_sets::DataSetUpload> upload_;
};

}  // namespace churn::ingest_service
