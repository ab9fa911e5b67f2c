// churn-gateway: the door for people and most clients. Keeps the views current from ingest and
// scoring (RefreshOrchestrator), serves them over gRPC (GatewayService) and a JSON HTTP API
// with the dashboard (HttpApi), keeps the outcome log and fronts the Ticket Analyzer.
// Configuration: config/gateway-service.yaml, CHURN_GATEWAY_<KEY>, --key=value (see --help).
#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>

#include <grpcpp/support/channel_arguments.h>

#include "viewsets/view_store.h"
#include "churn_intent.h"
#include "common/logging.h"
#include "common/neighbour_channel.h"
#include "common/service_process.h"
#include "common/service_config.h"
#include "gateway_api.h"
#include "gateway_metrics.h"
#include "gateway_options.h"
#include "gateway_service.h"
#include "http_api.h"
#include "outcomes/outcome_log.h"
#include "refresh_orchestrator.h"
#include "ticket_analyzer.h"

namespace {

namespace svc = churn::service;
namespace gw = churn::gateway;

// Neighbours come and go (restarts, deploys): reconnect quickly rather than after gRPC's
// default backoff of up to two minutes.
std::shared_ptr<grpc::Channel> NeighbourChannel(const std::string& address,
                                                const gw::GatewayOptions& options) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
              static_cast<int>(options.reconnect_backoff_max.count()));
  args.SetMaxReceiveMessageSize(64 << 20);
  return svc::NeighbourChannel(address, options.neighbour_security, std::move(args));
}

// The ServiceProcess port file plus the HTTP port, written aside and renamed so a reader never
// sees half a file.
absl::Status WritePortFile(const std::string& path, int grpc_port, int metrics_port,
                           int http_port) {
  if (path.empty()) return absl::OkStatus();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "grpc_port=" << grpc_port << "\nmetrics_port=" << metrics_port
        << "\nhttp_port=" << http_port << "\n";
    if (!out.flush()) return absl::UnavailableError("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError("cannot write " + path);
  }
  return absl::OkStatus();
}

}  // namespace

// The slow HTTP work never takes every HTTP thread: at least four stay with views and probes.
static_assert(gw::kMaxHttpAnalyses + 4 <= gw::kHttpThreads);

int main(int argc, char** argv) {
  absl::StatusOr<svc::ServiceConfig> config =
      svc::ServiceConfig::Load("gateway", gw::GatewayConfigKeys(), argc, argv);
  if (!config.ok()) {
    std::fprintf(stderr, "churn-gateway: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  if (config->help_requested()) {
    std::fputs(config->HelpText().c_str(), stdout);
    return 0;
  }
  if (absl::Status s = svc::ConfigureLogging(*config); !s.ok()) {
    std::fprintf(stderr, "churn-gateway: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  absl::StatusOr<gw::GatewayOptions> options = gw::GatewayOptionsFromConfig(*config);
  if (!options.ok()) {
    svc::LogError("config_invalid", {{"error", options.status()}});
    return 2;
  }
  std::vector<svc::LogField> effective = {{"config_file", config->config_file()}};
  for (const auto& [key, value] : config->EffectiveValues()) effective.emplace_back(key, value);
  svc::Log(svc::LogLevel::kInfo, "config_loaded", effective);

  // The gateway writes the port file itself, once the HTTP port is known too.
  absl::StatusOr<svc::ServiceProcessOptions> host_options =
      svc::ServiceProcessOptions::FromConfig(*config);
  if (absl::Status s = host_options.ok() ? host_options->Validate() : host_options.status(); !s.ok()) {
    svc::LogError("config_invalid", {{"error", s}});
    return 2;
  }
  if (absl::Status s = host_options->security.CheckListenAddress("http_address", options->http_address);
      !s.ok()) {
    svc::LogError("config_invalid", {{"error", s}});
    return 2;
  }
  host_options->port_file.clear();
  svc::ServiceProcess host(*std::move(host_options));

  // A read-only or missing file system refuses outcome records (and retries on each), but the
  // views are still served.
  absl::Status outcome_log_not_writable;
  absl::StatusOr<std::unique_ptr<churn::outcomes::OutcomeLog>> outcome_log =
      churn::outcomes::OutcomeLog::OpenOrDefer(options->outcomes_db, &outcome_log_not_writable);
  if (!outcome_log.ok()) {
    svc::LogError("outcome_log_unavailable", {{"error", outcome_log.status()}});
    return 1;
  }
  if (!outcome_log_not_writable.ok()) {
    svc::LogWarn("outcome_log_not_writable",
                 {{"path", options->outcomes_db}, {"error", outcome_log_not_writable}});
  } else {
    svc::LogInfo("outcome_log_opened", {{"path", options->outcomes_db}});
  }

  gw::GatewayMetrics metrics(host.metrics_registry());
  churn::viewsets::ViewStore store(options->stale_after.count() == 0
                                       ? absl::InfiniteDuration()
                                       : absl::Milliseconds(options->stale_after.count()));
  std::shared_ptr<grpc::Channel> ingest =
      NeighbourChannel(options->ingest_address, *options);

  gw::RefreshOptions refresh_options;
  refresh_options.interval = options->refresh_interval;
  refresh_options.ingest_deadline = options->ingest_deadline;
  refresh_options.reload_deadline = options->reload_deadline;
  refresh_options.stream_signals_deadline = options->stream_signals_deadline;
  refresh_options.score_deadline = options->score_deadline;
  refresh_options.score_batch_size = options->score_batch_size;
  std::shared_ptr<grpc::Channel> enrichment =
      NeighbourChannel(options->enrichment_address, *options);
  gw::LinkedTicketAnalyses linked_analyses;
  gw::LinkedTicketIntentOptions intent_options;
  intent_options.list_deadline = options->ingest_deadline;
  intent_options.pass_deadline = options->churn_intent_deadline;
  intent_options.ticket_timeout = options->churn_intent_ticket_timeout;
  gw::RefreshOrchestrator refresher(
      refresh_options, ingest,
      NeighbourChannel(options->scoring_address, *options),
      gw::LinkedTicketIntent(ingest, enrichment, intent_options, &linked_analyses), &store,
      &metrics);

  gw::TicketAnalyzerOptions analyzer_options;
  analyzer_options.ingest_deadline = options->ingest_deadline;
  analyzer_options.analyze_ticket_deadline = options->analyze_ticket_deadline;
  analyzer_options.analyze_set_deadline = options->analyze_set_deadline;
  analyzer_options.max_upload_bytes = options->max_upload_bytes;
  gw::TicketAnalyzer analyzer(analyzer_options, ingest, enrichment, &metrics);

  gw::GatewayApiOptions api_options;
  api_options.default_page_size = options->default_page_size;
  api_options.max_page_size = options->max_page_size;
  api_options.strategic_arr = options->strategic_arr;
  gw::GatewayApi api(api_options, &store, outcome_log->get());
  api.set_ticket_analyses(&linked_analyses);

  gw::GatewayService service(&api, &refresher, &analyzer, &host.executor());
  host.AddService(&service, churn::v1::GatewayService::service_full_name());
  // NOT_SERVING until the first views exist; stale views later still serve.
  std::atomic<bool> serving{false};
  refresher.SetOnViewsPublished([&host, &serving](const churn::viewsets::ViewSet&) {
    if (!serving.exchange(true)) host.SetServing(true);
  });

  gw::HttpApiOptions http_options;
  http_options.address = options->http_address;
  http_options.web_root = options->web_root;
  http_options.max_body_bytes = options->max_upload_bytes;
  http_options.max_concurrent_analyses = options->http_max_analyses;
  http_options.callers = host.security().callers;
  http_options.tls_cert_file = config->GetString("tls_cert_file");
  http_options.tls_key_file = config->GetString("tls_key_file");
  gw::HttpApi http(http_options, &api, &refresher, &analyzer, &host.metrics_registry());

  if (absl::Status s = host.Start(); !s.ok()) {
    svc::LogError("start_failed", {{"error", s}});
    return 1;
  }
  if (absl::Status s = http.Start(); !s.ok()) {
    svc::LogError("start_failed", {{"error", s}});
    host.Shutdown();
    return 1;
  }
  if (absl::Status s =
          WritePortFile(options->port_file, host.grpc_port(), host.metrics_port(), http.port());
      !s.ok()) {
    svc::LogError("start_failed", {{"error", s}});
    http.Stop();
    host.Shutdown();
    return 1;
  }
  refresher.Start();

  host.WaitForShutdownSignal();  // gRPC and the executor drained; /metrics stopped last
  http.Stop();
  refresher.Stop();
  svc::LogInfo("gateway_stopped");
  return 0;
}
