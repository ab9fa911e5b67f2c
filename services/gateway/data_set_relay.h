#pragma once
// The gateway's data set calls, relayed to ingest, which keeps and validates the data sets: an
// upload is streamed to ingest's UploadDataSet in chunks; selecting one asks ingest to load it
// and then rebuilds the views at once, so the next view request shows the new data.
// Ingest's answers about the caller's data (a bad value with file, line and column, a name in
// use, a limit) keep their code and message.

#include <chrono>
#include <memory>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "call_scope.h"
#include "churn/v1/data_set.pb.h"
#include "churn/v1/ingest.grpc.pb.h"
#include "refresh_orchestrator.h"

namespace churn::gateway {

struct DataSetRelayOptions {
  // Validation reads every table: uploads and selections of large data sets take a while.
  std::chrono::milliseconds upload_deadline{300000};
  std::chrono::milliseconds select_deadline{300000};
  std::chrono::milliseconds list_deadline{5000};
  size_t chunk_bytes = size_t{1} << 20;  // per streamed message
};

class DataSetRelay {
 public:
  DataSetRelay(DataSetRelayOptions options, std::shared_ptr<grpc::Channel> ingest,
               RefreshOrchestrator* refresher);

  absl::StatusOr<v1::UploadDataSetResponse> Upload(const CallScope& scope,
                                                   const v1::UploadDataSetFilesRequest& request);
  absl::StatusOr<v1::ListDataSetsResponse> List(const CallScope& scope);
  // Selects in ingest, then refreshes the views (a failed refresh is logged; the poller retries).
  absl::StatusOr<v1::SelectDataSetResponse> Select(const CallScope& scope,
                                                   const v1::SelectDataSetRequest& request);

 private:
  const DataSetRelayOptions options_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
  RefreshOrchestrator* refresher_;
};

}  // namespace churn::gateway
