#include "monitoring/service_set.h"

#include <chrono>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "integration/service_probe.h"
#include "monitoring/prometheus_server.h"
#include "status/status_macros.h"

namespace churn::testing {
namespace {

absl::StatusOr<std::unique_ptr<ServiceProcess>> StartOnLoopback(const std::string& binary,
                                                                std::vector<std::string> args) {
  // The services' default addresses are not the test's business: always say loopback.
  args.push_back("--grpc_address=127.0.0.1:0");
  args.push_back("--metrics_address=127.0.0.1:0");
  args.push_back("--drain_timeout_ms=1000");
  args.push_back("--log_level=warn");
  return ServiceProcess::Start(binary, std::move(args));
}

}  // namespace

absl::Status ServiceSet::Start(const ServiceSetOptions& options) {
  CHURN_ASSIGN_OR_RETURN(ingest_,
                         StartOnLoopback(CHURN_INGEST_BINARY, {"--data_dir=" + options.data_dir}));

  CHURN_ASSIGN_OR_RETURN(
      scoring_,
      StartOnLoopback(CHURN_SCORING_BINARY,
                      {absl::StrCat("--rules_file=", CHURN_SOURCE_DIR, "/config/scoring.yaml")}));

  std::vector<std::string> enrichment_args = {"--cache_path=" + options.work_dir +
                                              "/enrichment-cache.sqlite"};
  if (options.fake_ollama_binary.empty()) {
    enrichment_args.push_back("--use_model=false");
  } else {
    // fake-ollama writes the keys ServiceProcess waits for; its HTTP port is the "grpc_port".
    CHURN_ASSIGN_OR_RETURN(fake_ollama_, ServiceProcess::Start(options.fake_ollama_binary,
                                                               std::vector<std::string>{}));
    enrichment_args.push_back(
        absl::StrCat("--ollama_url=http://127.0.0.1:", fake_ollama_->grpc_port()));
    enrichment_args.push_back("--model=llama3.1:8b");
    enrichment_args.push_back("--warm_up=false");
    enrichment_args.push_back("--readiness_interval_ms=200");
  }
  CHURN_ASSIGN_OR_RETURN(enrichment_,
                         StartOnLoopback(CHURN_ENRICHMENT_BINARY, std::move(enrichment_args)));

  gateway_http_port_ = FreeLoopbackPort();
  CHURN_ASSIGN_OR_RETURN(
      gateway_, StartOnLoopback(CHURN_GATEWAY_BINARY,
                                {"--ingest_address=" + ingest_->grpc_target(),
                                 "--scoring_address=" + scoring_->grpc_target(),
                                 "--enrichment_address=" + enrichment_->grpc_target(),
                                 absl::StrCat("--http_address=127.0.0.1:", gateway_http_port_),
                                 "--outcomes_db=" + options.work_dir + "/outcomes.sqlite",
                                 "--history_db=" + options.work_dir + "/risk-history.sqlite",
                                 absl::StrCat("--web_root=", CHURN_SOURCE_DIR, "/web"),
                                 "--refresh_interval_ms=500", "--reconnect_backoff_max_ms=300"}));
  return WaitForServing(gateway_->grpc_target(), std::chrono::seconds(60));
}

std::map<std::string, int> ServiceSet::MetricsPortsByJob() const {
  return {{"churn-ingest", ingest_->metrics_port()},
          {"churn-scoring", scoring_->metrics_port()},
          {"churn-enrichment", enrichment_->metrics_port()},
          {"churn-gateway", gateway_->metrics_port()}};
}

}  // namespace churn::testing
