// churn-enrichment: ticket text -> structured analysis through a local Ollama model, behind
// per-ticket deadlines, bounded concurrency, schema validation and a result cache; the
// rule-based fallback answers whenever the model cannot. Configuration:
// config/enrichment-service.yaml, CHURN_ENRICHMENT_<KEY>, --key=value (see --help).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/service_process.h"
#include "common/service_config.h"
#include "enrichment/ticket_enricher.h"
#include "enrichment_metrics.h"
#include "enrichment_service.h"
#include "model_readiness.h"

namespace {

namespace svc = churn::service;
using std::chrono::milliseconds;

std::vector<svc::ConfigKey> EnrichmentKeys() {
  using svc::ConfigType;
  std::vector<svc::ConfigKey> keys = svc::CommonServiceKeys("127.0.0.1:50053", "127.0.0.1:9103");
  keys.push_back({"ollama_url", ConfigType::kString, "http://127.0.0.1:11434",
                  "Ollama's base URL (ticket text is sent there: keep it local)"});
  keys.push_back({"model", ConfigType::kString, "llama3.1:8b", "the Ollama model to ask"});
  keys.push_back({"use_model", ConfigType::kBool, "true",
                  "false = never call Ollama: the rule-based fallback analyses every ticket"});
  keys.push_back({"default_timeout_ms", ConfigType::kInt, "60000",
                  "per-ticket model deadline when a request names none (also capped by the "
                  "caller's gRPC deadline)"});
  keys.push_back({"concurrency", ConfigType::kInt, "1",
                  "model calls at once (match OLLAMA_NUM_PARALLEL, default 1)"});
  keys.push_back({"max_queue", ConfigType::kInt, "64",
                  "tickets that may wait for a model slot; more get the fallback at once"});
  keys.push_back({"cache_path", ConfigType::kString, "var/enrichment-cache.sqlite",
                  "SQLite file of model answers (empty = no cache)"});
  keys.push_back({"keep_alive", ConfigType::kString, "30m",
                  "how long Ollama keeps the model loaded after a request"});
  keys.push_back({"num_predict", ConfigType::kInt, "256", "most tokens per answer"});
  keys.push_back({"num_ctx", ConfigType::kInt, "4096", "model context size in tokens"});
  keys.push_back({"seed", ConfigType::kInt, "42", "sampling seed (with temperature 0)"});
  keys.push_back({"connect_timeout_ms", ConfigType::kInt, "2000",
                  "longest wait to connect to Ollama (within the ticket's deadline)"});
  keys.push_back({"max_ticket_chars", ConfigType::kInt, "4000",
                  "ticket text is cut to this many bytes before the model sees it"});
  keys.push_back({"max_batch", ConfigType::kInt, "10000", "most tickets per AnalyzeTickets"});
  keys.push_back({"readiness_interval_ms", ConfigType::kInt, "15000",
                  "how often Ollama's readiness is checked (the ollama_ready gauge)"});
  keys.push_back({"warm_up", ConfigType::kBool, "true",
                  "load the model once Ollama is ready, before the first ticket"});
  keys.push_back({"warm_up_timeout_ms", ConfigType::kInt, "300000",
                  "longest wait for the warm-up (loading a model on CPU takes minutes)"});
  return keys;
}

// Range checks that the config's type checks cannot do; the message names the key.
absl::Status CheckRanges(const svc::ServiceConfig& config) {
  struct Range {
    const char* key;
    int64_t min;
  };
  for (const Range& range :
       {Range{"default_timeout_ms", 1}, Range{"concurrency", 1}, Range{"max_queue", 0},
        Range{"num_predict", 1}, Range{"num_ctx", 1}, Range{"connect_timeout_ms", 1},
        Range{"max_ticket_chars", 1}, Range{"max_batch", 1}, Range{"readiness_interval_ms", 10},
        Range{"warm_up_timeout_ms", 1}, Range{"drain_timeout_ms", 0}}) {
    if (config.GetInt(range.key) < range.min) {
      return absl::InvalidArgumentError(
          absl::StrCat(range.key, ": must be >= ", range.min, ", got ", config.GetInt(range.key)));
    }
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  absl::StatusOr<svc::ServiceConfig> config =
      svc::ServiceConfig::Load("enrichment", EnrichmentKeys(), argc, argv);
  if (!config.ok()) {
    std::fprintf(stderr, "churn-enrichment: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  if (config->help_requested()) {
    std::fputs(config->HelpText().c_str(), stdout);
    return 0;
  }
  if (absl::Status s = svc::ConfigureLogging(*config); !s.ok()) {
    std::fprintf(stderr, "churn-enrichment: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  if (absl::Status s = CheckRanges(*config); !s.ok()) {
    svc::LogError("config_invalid", {{"error", s}});
    return 2;
  }
  if (config->GetInt("worker_threads") <= config->GetInt("concurrency")) {
    svc::LogError("config_invalid",
                  {{"error", absl::StrCat("worker_threads: must be more than concurrency (",
                                          config->GetInt("concurrency"),
                                          ") so cached and fallback answers keep a thread, got ",
                                          config->GetInt("worker_threads"))}});
    return 2;
  }
  std::vector<svc::LogField> effective = {{"config_file", config->config_file()}};
  for (const auto& [key, value] : config->EffectiveValues()) effective.emplace_back(key, value);
  svc::Log(svc::LogLevel::kInfo, "config_loaded", effective);

  // First, before any thread: it blocks SIGTERM/SIGINT for every thread started later.
  absl::StatusOr<svc::ServiceProcessOptions> host_options =
      svc::ServiceProcessOptions::FromConfig(*config);
  if (absl::Status s = host_options.ok() ? host_options->Validate() : host_options.status(); !s.ok()) {
    svc::LogError("config_invalid", {{"error", s}});
    return 2;
  }
  svc::ServiceProcess host(*std::move(host_options));

  const bool use_model = config->GetBool("use_model");
  std::unique_ptr<churn::ollama::OllamaClient> model;
  if (use_model) {
    churn::ollama::OllamaClientOptions options;
    options.base_url = config->GetString("ollama_url");
    options.model = config->GetString("model");
    options.keep_alive = config->GetString("keep_alive");
    options.generation.seed = config->GetInt("seed");
    options.generation.num_predict = static_cast<int>(config->GetInt("num_predict"));
    options.generation.num_ctx = static_cast<int>(config->GetInt("num_ctx"));
    options.connect_timeout = milliseconds(config->GetInt("connect_timeout_ms"));
    model = std::make_unique<churn::ollama::OllamaClient>(options);
  }
  std::unique_ptr<churn::enrichment::ResultCache> cache;
  const std::string cache_path = config->GetString("cache_path");
  if (use_model && !cache_path.empty()) {
    auto opened = churn::enrichment::ResultCache::Open(cache_path);
    if (!opened.ok()) {
      svc::LogError("cache_open_failed", {{"error", opened.status()}, {"cache_path", cache_path}});
      return 1;
    }
    cache = *std::move(opened);
  }

  churn::enrichment_service::EnrichmentMetrics metrics(
      host.metrics_registry(), use_model ? config->GetString("model") : std::string("none"));
  churn::enrichment::EnricherOptions enricher_options;
  enricher_options.default_timeout = milliseconds(config->GetInt("default_timeout_ms"));
  enricher_options.concurrency = static_cast<int>(config->GetInt("concurrency"));
  enricher_options.max_queue = static_cast<int>(config->GetInt("max_queue"));
  enricher_options.max_ticket_chars = static_cast<size_t>(config->GetInt("max_ticket_chars"));
  enricher_options.batch_helpers = &host.executor();
  churn::enrichment::TicketEnricher enricher(enricher_options, std::move(model), std::move(cache),
                                             &metrics);

  churn::enrichment_service::EnrichmentServiceOptions service_options;
  service_options.max_batch = config->GetInt("max_batch");
  churn::enrichment_service::EnrichmentService service(service_options, &enricher,
                                                       &host.executor());
  host.AddService(&service, churn::v1::EnrichmentService::service_full_name());
  if (absl::Status s = host.Start(); !s.ok()) {
    svc::LogError("start_failed", {{"error", s}});
    return 1;
  }
  // The fallback always works: ready as soon as the server is up, model or not.
  host.SetServing(true);

  std::unique_ptr<churn::enrichment_service::ModelReadinessMonitor> readiness;
  if (enricher.model_enabled()) {
    churn::enrichment_service::ReadinessOptions readiness_options;
    readiness_options.interval = milliseconds(config->GetInt("readiness_interval_ms"));
    readiness_options.warm_up = config->GetBool("warm_up");
    readiness_options.warm_up_timeout = milliseconds(config->GetInt("warm_up_timeout_ms"));
    readiness = std::make_unique<churn::enrichment_service::ModelReadinessMonitor>(
        enricher.model_client(), readiness_options,
        [&metrics](bool ready, const absl::Status&) { metrics.SetOllamaReady(ready); });
    readiness->Start();
  } else {
    svc::LogInfo("model_disabled", {{"analyser", "fallback"}});
  }
  host.WaitForShutdownSignal();
  readiness.reset();
  return 0;
}
