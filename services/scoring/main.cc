// churn-scoring: the scoring rules behind gRPC. Configuration: config/scoring-service.yaml,
// CHURN_SCORING_<KEY>, --key=value (see --help).
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "common/service_process.h"
#include "common/service_config.h"
#include "scoring_service.h"

namespace {

std::vector<churn::service::ConfigKey> ScoringKeys() {
  using churn::service::ConfigType;
  std::vector<churn::service::ConfigKey> keys =
      churn::service::CommonServiceKeys("127.0.0.1:50052", "127.0.0.1:9102");
  keys.push_back({"rules_file", ConfigType::kString, "config/scoring.yaml",
                  "scoring rules YAML; empty = the defaults built into the binary"});
  keys.push_back({"max_batch", ConfigType::kInt, "10000",
                  "most customers per ScoreBatch/DryRunRules request or ScoreStream message"});
  keys.push_back({"max_rules_bytes", ConfigType::kInt, "1048576",
                  "largest rules text accepted by ReloadRules/DryRunRules"});
  return keys;
}

}  // namespace

int main(int argc, char** argv) {
  namespace svc = churn::service;
  absl::StatusOr<svc::ServiceConfig> config =
      svc::ServiceConfig::Load("scoring", ScoringKeys(), argc, argv);
  if (!config.ok()) {
    std::fprintf(stderr, "churn-scoring: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  if (config->help_requested()) {
    std::fputs(config->HelpText().c_str(), stdout);
    return 0;
  }
  if (absl::Status s = svc::ConfigureLogging(*config); !s.ok()) {
    std::fprintf(stderr, "churn-scoring: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  absl::StatusOr<svc::ServiceProcessOptions> host_options =
      svc::ServiceProcessOptions::FromConfig(*config);
  if (absl::Status s = host_options.ok() ? host_options->Validate() : host_options.status(); !s.ok()) {
    svc::LogError("config_invalid", {{"error", s}});
    return 2;
  }
  churn::scoring_service::ScoringServiceOptions options;
  options.rules_file = config->GetString("rules_file");
  options.max_batch = config->GetInt("max_batch");
  options.max_rules_bytes = config->GetInt("max_rules_bytes");
  if (options.max_batch < 1 || options.max_rules_bytes < 1) {
    svc::LogError("config_invalid", {{"error", "max_batch and max_rules_bytes must be >= 1"}});
    return 2;
  }
  std::vector<svc::LogField> effective = {{"config_file", config->config_file()}};
  for (const auto& [key, value] : config->EffectiveValues()) effective.emplace_back(key, value);
  svc::Log(svc::LogLevel::kInfo, "config_loaded", effective);

  svc::ServiceProcess host(*std::move(host_options));
  churn::scoring_service::ScoringService service(options, host.metrics_registry());
  host.AddService(&service, churn::v1::ScoringService::service_full_name());
  service.SetOnReady([&host] { host.SetServing(true); });
  if (absl::Status s = host.Start(); !s.ok()) {
    svc::LogError("start_failed", {{"error", s}});
    return 1;
  }
  // Not ready without rules: the process stays up NOT_SERVING so ReloadRules can fix it.
  if (absl::Status s = service.LoadConfiguredRules(); !s.ok()) {
    svc::LogError("rules_load_failed", {{"error", s}, {"rules_file", options.rules_file}});
  }
  host.WaitForShutdownSignal();
  return 0;
}
