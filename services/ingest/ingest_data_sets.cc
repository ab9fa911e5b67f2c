// IngestService's data set calls: upload (DataSetUploadReceiver), list and select. Selecting
// loads the data set through the same path as LoadDataFolder, so the watcher follows it and a
// failed load keeps the current snapshot.
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "convert/data_set_convert.h"
#include "convert/snapshot_convert.h"
#include "data_set_upload_receiver.h"
#include "ingest_service.h"
#include "status/status_macros.h"

namespace churn::ingest_service {
namespace {

namespace fs = std::filesystem;

std::string Normal(const std::string& dir) {
  std::error_code ignored;
  return fs::weakly_canonical(fs::absolute(dir, ignored), ignored).string();
}

}  // namespace

void IngestService::MarkCurrent(const std::string& dir, v1::DataSet* set) const {
  std::shared_ptr<const snapshots::Snapshot> current = store_.Current();
  set->set_current(current != nullptr && Normal(current->source_dir) == Normal(dir));
}

grpc::ServerReadReactor<v1::UploadDataSetRequest>* IngestService::UploadDataSet(
    grpc::CallbackServerContext* context, v1::UploadDataSetResponse* response) {
  return new UploadStreamReactor<v1::UploadDataSetRequest, v1::UploadDataSetResponse>(
      executor(), context, response, std::make_unique<DataSetUploadReceiver>(this));
}

grpc::ServerUnaryReactor* IngestService::ListDataSets(grpc::CallbackServerContext* context,
                                                      const v1::ListDataSetsRequest* /*request*/,
                                                      v1::ListDataSetsResponse* response) {
  if (data_sets_ == nullptr) {
    return service::FinishWith(context, absl::UnavailableError("ingest is starting"));
  }
  v1::DataSet* configured = response->add_data_sets();
  configured->set_configured(true);
  MarkCurrent(options_.data_dir, configured);
  for (const data_sets::DataSetInfo& info : data_sets_->List()) {
    v1::DataSet* set = response->add_data_sets();
    convert::ToProto(info, set);
    MarkCurrent(info.path, set);
  }
  return service::FinishWith(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* IngestService::SelectDataSet(grpc::CallbackServerContext* context,
                                                       const v1::SelectDataSetRequest* request,
                                                       v1::SelectDataSetResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status queued = executor_->Submit([this, reactor, request, response] {
    reactor->Finish(service::ToGrpcStatus(SelectDataSetNow(*request, response)));
  });
  if (!queued.ok()) reactor->Finish(service::ToGrpcStatus(queued));
  return reactor;
}

absl::Status IngestService::SelectDataSetNow(const v1::SelectDataSetRequest& request,
                                             v1::SelectDataSetResponse* response) {
  if (data_sets_ == nullptr) return absl::UnavailableError("ingest is starting");
  std::string dir = options_.data_dir;
  v1::DataSet* set = response->mutable_data_set();
  if (request.name().empty()) {
    set->set_configured(true);
  } else {
    CHURN_ASSIGN_OR_RETURN(data_sets::DataSetInfo info, data_sets_->Find(request.name()));
    convert::ToProto(info, set);
    dir = info.path;
  }
  absl::StatusOr<snapshots::LoadResult> result =
      LoadAndWatch(absl::StrCat("select:", request.name()), dir, options_.as_of);
  if (!result.ok()) {
    response->Clear();
    // Name the set, not the server's folder.
    return absl::Status(
        result.status().code(),
        absl::StrCat("data set '", request.name(), "' cannot be loaded: ",
                     absl::StrReplaceAll(result.status().message(), {{dir + "/", ""}, {dir, ""}})));
  }
  MarkCurrent(dir, set);
  convert::ToProto(*result->snapshot, response->mutable_snapshot());
  response->set_published(result->published);
  service::LogInfo("data_set_selected", {{"name", request.name()},
                                         {"version", result->snapshot->version},
                                         {"published", result->published}});
  return absl::OkStatus();
}

}  // namespace churn::ingest_service
