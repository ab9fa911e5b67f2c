// churn-ingest: loads and watches the data folder, publishes versioned snapshots of the
// per-customer signals and serves them. Configuration: config/ingest-service.yaml,
// CHURN_INGEST_<KEY>, --key=value (see --help).
#include <cstdio>
#include <string>

#include "churn/v1/ingest.grpc.pb.h"
#include "common/logging.h"
#include "common/service_process.h"
#include "common/service_config.h"
#include "dataset/value_parsers.h"
#include "ingest_service.h"

namespace {

std::vector<churn::service::ConfigKey> IngestKeys() {
  using churn::service::ConfigType;
  std::vector<churn::service::ConfigKey> keys =
      churn::service::CommonServiceKeys("127.0.0.1:50051", "127.0.0.1:9101");
  keys.push_back({"data_dir", ConfigType::kString, "var/demo-data",
                  "folder with the five CSV tables (*accounts.csv, *subscriptions.csv, ...)"});
  keys.push_back({"data_root", ConfigType::kString, "",
                  "LoadDataFolder reads only folders inside this one; empty = data_dir itself"});
  keys.push_back({"tickets_dir", ConfigType::kString, "",
                  "folder of ticket text CSV files offered as ticket text sets; empty = none"});
  keys.push_back(
      {"uploads_dir", ConfigType::kString, "",
       "where uploaded tables are staged; empty = a private temp folder removed at exit"});
  keys.push_back({"watch_interval_ms", ConfigType::kInt, "2000",
                  "poll the data folder this often and reload on a change; 0 = no watching"});
  keys.push_back({"max_upload_bytes", ConfigType::kInt, "67108864",
                  "largest UploadTable accepted (RESOURCE_EXHAUSTED beyond)"});
  keys.push_back({"stream_chunk_size", ConfigType::kInt, "500",
                  "customers (or tickets) per streamed message when the request does not say"});
  keys.push_back(
      {"as_of", ConfigType::kString, "",
       "YYYY-MM-DD ending both windows; empty = latest usage / ticket date in the data"});
  keys.push_back({"versions_kept", ConfigType::kInt, "3",
                  "snapshots held (current included) so StreamSignals of a recent version works"});
  keys.push_back({"max_rejected_rows", ConfigType::kInt, "0",
                  "rows with bad values skipped (and reported) before a load fails; 0 = strict"});
  return keys;
}

}  // namespace

int main(int argc, char** argv) {
  namespace svc = churn::service;
  namespace ingest = churn::ingest_service;
  absl::StatusOr<svc::ServiceConfig> config =
      svc::ServiceConfig::Load("ingest", IngestKeys(), argc, argv);
  if (!config.ok()) {
    std::fprintf(stderr, "churn-ingest: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  if (config->help_requested()) {
    std::fputs(config->HelpText().c_str(), stdout);
    return 0;
  }
  if (absl::Status s = svc::ConfigureLogging(*config); !s.ok()) {
    std::fprintf(stderr, "churn-ingest: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  ingest::IngestServiceOptions options;
  options.data_dir = config->GetString("data_dir");
  options.data_root = config->GetString("data_root").empty() ? options.data_dir
                                                             : config->GetString("data_root");
  options.tickets_dir = config->GetString("tickets_dir");
  options.uploads_dir = config->GetString("uploads_dir");
  options.watch_interval = std::chrono::milliseconds(config->GetInt("watch_interval_ms"));
  options.max_upload_bytes = config->GetInt("max_upload_bytes");
  const int64_t chunk = config->GetInt("stream_chunk_size");
  const int64_t versions_kept = config->GetInt("versions_kept");
  options.max_rejected_rows = config->GetInt("max_rejected_rows");
  std::string problem;
  if (options.data_dir.empty()) problem = "data_dir: required";
  if (options.watch_interval.count() < 0) problem = "watch_interval_ms: must be >= 0";
  if (options.max_upload_bytes < 1) problem = "max_upload_bytes: must be >= 1";
  if (chunk < 1 || chunk > ingest::kMaxStreamChunk) {
    problem =
        "stream_chunk_size: must be within [1, " + std::to_string(ingest::kMaxStreamChunk) + "]";
  }
  if (versions_kept < 1 || versions_kept > 100) problem = "versions_kept: must be within [1, 100]";
  if (options.max_rejected_rows < 0) problem = "max_rejected_rows: must be >= 0";
  if (config->GetInt("drain_timeout_ms") < 0) problem = "drain_timeout_ms: must be >= 0";
  if (const std::string& as_of = config->GetString("as_of"); !as_of.empty()) {
    options.as_of = churn::dataset::ParseDate(as_of);
    if (!options.as_of) problem = "as_of: expected a date YYYY-MM-DD, got '" + as_of + "'";
  }
  if (!problem.empty()) {
    svc::LogError("config_invalid", {{"error", problem}});
    return 2;
  }
  options.stream_chunk_size = static_cast<int32_t>(chunk);
  options.versions_kept = static_cast<size_t>(versions_kept);
  std::vector<svc::LogField> effective = {{"config_file", config->config_file()}};
  for (const auto& [key, value] : config->EffectiveValues()) effective.emplace_back(key, value);
  svc::Log(svc::LogLevel::kInfo, "config_loaded", effective);

  absl::StatusOr<svc::ServiceProcessOptions> host_options =
      svc::ServiceProcessOptions::FromConfig(*config);
  if (absl::Status s = host_options.ok() ? host_options->Validate() : host_options.status(); !s.ok()) {
    svc::LogError("config_invalid", {{"error", s}});
    return 2;
  }
  svc::ServiceProcess host(*std::move(host_options));
  ingest::IngestService service(options, host.metrics_registry(), &host.executor());
  host.AddService(&service, churn::v1::IngestService::service_full_name());
  service.SetOnReady([&host] { host.SetServing(true); });
  if (absl::Status s = host.Start(); !s.ok()) {
    svc::LogError("start_failed", {{"error", s}});
    return 1;
  }
  // Not ready without a snapshot: the process stays up NOT_SERVING while the watcher waits for
  // a usable folder (or LoadDataFolder / UploadTable supplies one).
  if (absl::Status s = service.Start(); !s.ok()) {
    svc::LogError("start_failed", {{"error", s}});
    host.Shutdown();
    return 1;
  }
  host.WaitForShutdownSignal();
  service.Stop();
  return 0;
}
