#include "integration_faults/restartable_service_set.h"

#include <signal.h>

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "integration/service_probe.h"
#include "status/status_macros.h"

namespace churn::testing {
namespace {

std::string Loopback(int port) { return absl::StrCat("127.0.0.1:", port); }

const char* BinaryOf(Service service) {
  switch (service) {
    case Service::kIngest: return CHURN_INGEST_BINARY;
    case Service::kScoring: return CHURN_SCORING_BINARY;
    case Service::kEnrichment: return CHURN_ENRICHMENT_BINARY;
    case Service::kGateway: return CHURN_GATEWAY_BINARY;
  }
  return "";
}

}  // namespace

const char* ServiceName(Service service) {
  switch (service) {
    case Service::kIngest: return "ingest";
    case Service::kScoring: return "scoring";
    case Service::kEnrichment: return "enrichment";
    case Service::kGateway: return "gateway";
  }
  return "?";
}

RestartableServiceSet::RestartableServiceSet(ServiceSetConfig config)
    : config_(std::move(config)) {}

std::vector<std::string> RestartableServiceSet::ArgsOf(Service service) const {
  switch (service) {
    case Service::kIngest:
      return {"--grpc_address=" + Loopback(ingest_port_.port()),
              "--metrics_address=127.0.0.1:0",
              "--data_dir=" + config_.data_dir,
              "--tickets_dir=" + config_.tickets_dir,
              "--watch_interval_ms=200",
              "--drain_timeout_ms=1000",
              "--log_level=warn"};
    case Service::kScoring:
      // An empty rules_file: the built-in rules.
      return {"--grpc_address=" + Loopback(scoring_port_.port()), "--metrics_address=127.0.0.1:0",
              "--rules_file=", "--drain_timeout_ms=1000", "--log_level=warn"};
    case Service::kEnrichment:
      return {"--grpc_address=" + Loopback(enrichment_port_.port()),
              "--metrics_address=127.0.0.1:0",
              config_.model_url.empty() ? "--use_model=false" : "--ollama_url=" + config_.model_url,
              "--warm_up=false",
              "--cache_path=" + config_.work_dir + "/enrichment-cache.sqlite",
              "--drain_timeout_ms=1000",
              "--log_level=warn"};
    case Service::kGateway: {
      std::vector<std::string> args = {"--grpc_address=127.0.0.1:0",
                                       "--metrics_address=127.0.0.1:0",
                                       "--http_address=" + Loopback(http_port_.port()),
                                       "--ingest_address=" + Loopback(ingest_port_.port()),
                                       "--scoring_address=" + Loopback(scoring_port_.port()),
                                       "--enrichment_address=" + Loopback(enrichment_port_.port()),
                                       "--refresh_interval_ms=200",
                                       "--reconnect_backoff_max_ms=300",
                                       "--outcomes_db=" + config_.outcomes_db,
                                       "--history_db=" + config_.outcomes_db + ".history",
                                       "--web_root=" + std::string(CHURN_SOURCE_DIR) + "/web",
                                       "--drain_timeout_ms=1000",
                                       "--log_level=warn"};
      args.insert(args.end(), config_.gateway_args.begin(), config_.gateway_args.end());
      return args;
    }
  }
  return {};
}

absl::Status RestartableServiceSet::Start(Service service) {
  if (ingest_port_.port() == 0 || scoring_port_.port() == 0 || enrichment_port_.port() == 0 ||
      http_port_.port() == 0) {
    return absl::UnavailableError("no free loopback port could be reserved");
  }
  ServiceProcess::Options options;
  options.args = ArgsOf(service);
  CHURN_ASSIGN_OR_RETURN(processes_[Index(service)],
                         ServiceProcess::Start(BinaryOf(service), std::move(options)));
  return absl::OkStatus();
}

absl::Status RestartableServiceSet::StartAll() {
  for (Service service : kAllServices) {
    CHURN_RETURN_IF_ERROR(Start(service));
  }
  return WaitForServing(gateway_grpc_target(), std::chrono::seconds(30));
}

void RestartableServiceSet::Kill(Service service) {
  std::unique_ptr<ServiceProcess>& process = processes_[Index(service)];
  if (process == nullptr) return;
  if (process->Running()) ::kill(process->pid(), SIGKILL);
  (void)process->WaitForExit(std::chrono::seconds(10));
  process.reset();
}

std::string RestartableServiceSet::gateway_grpc_target() const {
  const std::unique_ptr<ServiceProcess>& gateway = processes_[Index(Service::kGateway)];
  return gateway == nullptr ? std::string() : gateway->grpc_target();
}

}  // namespace churn::testing
