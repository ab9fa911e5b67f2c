// churn-ingest: loads and watches the data folder, publishes versioned snapshots of the
// per-customer signals and serves them. Settings: churn/settings/v1/ingest_settings.proto
// (config/ingest-service.yaml, CHURN_INGEST_<KEY>, --key=value; see --help).
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "churn/settings/v1/ingest_settings.pb.h"
#include "churnmodel/churn_model.h"
#include "common/logging.h"
#include "common/run_service.h"
#include "dataset/value_parsers.h"
#include "ingest_service.h"

namespace {

namespace svc = churn::service;
using churn::ingest_service::IngestServiceOptions;

absl::StatusOr<IngestServiceOptions> OptionsFromSettings(
    const churn::settings::v1::IngestSettings& settings, const svc::ServiceProcessOptions&) {
  namespace ingest = churn::ingest_service;
  IngestServiceOptions options;
  options.data_dir = settings.data_dir();
  options.data_root = settings.data_root().empty() ? options.data_dir : settings.data_root();
  options.tickets_dir = settings.tickets_dir();
  options.uploads_dir = settings.uploads_dir();
  options.watch_interval = std::chrono::milliseconds(settings.watch_interval_ms());
  options.watch_file_events = settings.watch_file_events();
  options.max_upload_bytes = settings.max_upload_bytes();
  options.max_rejected_rows = settings.max_rejected_rows();
  options.data_sets_dir = settings.data_sets_dir();
  options.data_set_limits.max_upload_bytes = settings.max_data_set_bytes();
  options.data_set_limits.zip.max_entries = settings.max_zip_entries();
  options.data_set_limits.zip.max_inflated_bytes = settings.max_inflated_bytes();
  if (settings.max_data_set_bytes() < 1 || settings.max_zip_entries() < 1 ||
      settings.max_inflated_bytes() < 1) {
    return absl::InvalidArgumentError(
        "max_data_set_bytes, max_zip_entries, max_inflated_bytes: must be >= 1");
  }
  if (options.data_dir.empty()) return absl::InvalidArgumentError("data_dir: required");
  if (options.watch_interval.count() < 0) {
    return absl::InvalidArgumentError("watch_interval_ms: must be >= 0");
  }
  if (options.max_upload_bytes < 1) {
    return absl::InvalidArgumentError("max_upload_bytes: must be >= 1");
  }
  if (settings.stream_chunk_size() < 1 || settings.stream_chunk_size() > ingest::kMaxStreamChunk) {
    return absl::InvalidArgumentError(
        absl::StrCat("stream_chunk_size: must be within [1, ", ingest::kMaxStreamChunk, "]"));
  }
  if (settings.versions_kept() < 1 || settings.versions_kept() > 100) {
    return absl::InvalidArgumentError("versions_kept: must be within [1, 100]");
  }
  if (options.max_rejected_rows < 0) {
    return absl::InvalidArgumentError("max_rejected_rows: must be >= 0");
  }
  if (const std::string& as_of = settings.as_of(); !as_of.empty()) {
    options.as_of = churn::dataset::ParseDate(as_of);
    if (!options.as_of) {
      return absl::InvalidArgumentError(
          absl::StrCat("as_of: expected a date YYYY-MM-DD, got '", as_of, "'"));
    }
  }
  if (const std::string& file = settings.model().model_file(); !file.empty()) {
    // A configured model that cannot be read stops the start: the operator asked for it.
    absl::StatusOr<churn::churnmodel::ChurnModel> model = churn::churnmodel::ChurnModel::Load(file);
    if (!model.ok()) return model.status();
    options.model = std::make_shared<const churn::churnmodel::ChurnModel>(*std::move(model));
    svc::LogInfo("model_loaded",
                 {{"model_file", file},
                  {"trained_through",
                   churn::dataset::FormatDate(options.model->metadata().trained_through)}});
  }
  // auto: long views exactly when there is a model to feed (here, and so most likely in scoring).
  if (const std::string& long_views = settings.long_views(); long_views == "auto") {
    options.long_views = options.model != nullptr;
  } else if (long_views == "on" || long_views == "off") {
    options.long_views = long_views == "on";
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("long_views: expected auto, on or off, got '", long_views, "'"));
  }
  options.stream_chunk_size = static_cast<int32_t>(settings.stream_chunk_size());
  options.versions_kept = static_cast<size_t>(settings.versions_kept());
  return options;
}

class IngestParts : public svc::ServiceParts {
 public:
  IngestParts(const IngestServiceOptions& options, svc::ServiceProcess& host)
      : service_(options, host.metrics_registry(), &host.executor()) {
    host.AddService(&service_, churn::v1::IngestService::service_full_name());
    service_.SetOnReady([&host] { host.SetServing(true); });
    host.OnShutdownStarted([this] { service_.CloseSnapshotWatches(); });
  }

  // Not ready without a snapshot: the process stays up NOT_SERVING while the watcher waits for
  // a usable folder (or LoadDataFolder / UploadTable supplies one).
  absl::Status Start() override { return service_.Start(); }
  void Stop() override { service_.Stop(); }

 private:
  churn::ingest_service::IngestService service_;
};

absl::StatusOr<std::unique_ptr<svc::ServiceParts>> Build(const IngestServiceOptions& options,
                                                         svc::ServiceProcess& host) {
  return std::make_unique<IngestParts>(options, host);
}

}  // namespace

int main(int argc, char** argv) {
  return svc::RunService<churn::settings::v1::IngestSettings>("ingest", argc, argv,
                                                              OptionsFromSettings, Build);
}
