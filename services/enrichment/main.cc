// churn-enrichment: ticket text -> structured analysis through a local Ollama model, behind
// per-ticket deadlines, bounded concurrency, schema validation and a result cache; the
// rule-based fallback answers whenever the model cannot. Settings:
// churn/settings/v1/enrichment_settings.proto (config/enrichment-service.yaml,
// CHURN_ENRICHMENT_<KEY>, --key=value; see --help).
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "churn/settings/v1/enrichment_settings.pb.h"
#include "common/logging.h"
#include "common/run_service.h"
#include "enrichment/ticket_enricher.h"
#include "enrichment_metrics.h"
#include "enrichment_service.h"
#include "model_readiness.h"

namespace {

namespace svc = churn::service;
namespace enrichment = churn::enrichment;
namespace enrichment_service = churn::enrichment_service;
using churn::settings::v1::EnrichmentSettings;
using std::chrono::milliseconds;

// Range checks that the types cannot express; the message names the setting.
absl::StatusOr<EnrichmentSettings> CheckedSettings(const EnrichmentSettings& settings,
                                                   const svc::ServiceProcessOptions& process) {
  struct Range {
    const char* key;
    int64_t value;
    int64_t min;
  };
  for (const Range& range :
       {Range{"default_timeout_ms", settings.default_timeout_ms(), 1},
        Range{"concurrency", settings.concurrency(), 1},
        Range{"max_queue", settings.max_queue(), 0},
        Range{"num_predict", settings.num_predict(), 1}, Range{"num_ctx", settings.num_ctx(), 1},
        Range{"connect_timeout_ms", settings.connect_timeout_ms(), 1},
        Range{"max_ticket_chars", settings.max_ticket_chars(), 1},
        Range{"max_batch", settings.max_batch(), 1},
        Range{"readiness_interval_ms", settings.readiness_interval_ms(), 10},
        Range{"warm_up_timeout_ms", settings.warm_up_timeout_ms(), 1}}) {
    if (range.value < range.min) {
      return absl::InvalidArgumentError(
          absl::StrCat(range.key, ": must be >= ", range.min, ", got ", range.value));
    }
  }
  if (process.worker_threads <= settings.concurrency()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "worker_threads: must be more than concurrency (", settings.concurrency(),
        ") so cached and fallback answers keep a thread, got ", process.worker_threads));
  }
  return settings;
}

class EnrichmentParts : public svc::ServiceParts {
 public:
  EnrichmentParts(const EnrichmentSettings& settings, svc::ServiceProcess& host,
                  std::unique_ptr<churn::ollama::OllamaClient> model,
                  std::unique_ptr<enrichment::ResultCache> cache)
      : host_(host),
        metrics_(host.metrics_registry(), model ? settings.model() : std::string("none")),
        enricher_(EnricherOptions(settings, host), std::move(model), std::move(cache), &metrics_),
        service_({.max_batch = settings.max_batch()}, &enricher_, &host.executor()) {
    host.AddService(&service_, churn::v1::EnrichmentService::service_full_name());
    readiness_options_.interval = milliseconds(settings.readiness_interval_ms());
    readiness_options_.warm_up = settings.warm_up();
    readiness_options_.warm_up_timeout = milliseconds(settings.warm_up_timeout_ms());
  }

  absl::Status Start() override {
    // The fallback always works: ready as soon as the server is up, model or not.
    host_.SetServing(true);
    if (!enricher_.model_enabled()) {
      svc::LogInfo("model_disabled", {{"analyser", "fallback"}});
      return absl::OkStatus();
    }
    readiness_ = std::make_unique<enrichment_service::ModelReadinessMonitor>(
        enricher_.model_client(), readiness_options_,
        [this](bool ready, const absl::Status&) { metrics_.SetOllamaReady(ready); });
    readiness_->Start();
    return absl::OkStatus();
  }

  void Stop() override { readiness_.reset(); }

 private:
  static enrichment::EnricherOptions EnricherOptions(const EnrichmentSettings& settings,
                                                     svc::ServiceProcess& host) {
    enrichment::EnricherOptions options;
    options.default_timeout = milliseconds(settings.default_timeout_ms());
    options.concurrency = static_cast<int>(settings.concurrency());
    options.max_queue = static_cast<int>(settings.max_queue());
    options.max_ticket_chars = static_cast<size_t>(settings.max_ticket_chars());
    options.batch_helpers = &host.executor();
    return options;
  }

  svc::ServiceProcess& host_;
  enrichment_service::EnrichmentMetrics metrics_;
  enrichment::TicketEnricher enricher_;
  enrichment_service::EnrichmentService service_;
  enrichment_service::ReadinessOptions readiness_options_;
  std::unique_ptr<enrichment_service::ModelReadinessMonitor> readiness_;
};

absl::StatusOr<std::unique_ptr<svc::ServiceParts>> Build(const EnrichmentSettings& settings,
                                                         svc::ServiceProcess& host) {
  std::unique_ptr<churn::ollama::OllamaClient> model;
  std::unique_ptr<enrichment::ResultCache> cache;
  if (settings.use_model()) {
    churn::ollama::OllamaClientOptions options;
    options.base_url = settings.ollama_url();
    options.model = settings.model();
    options.keep_alive = settings.keep_alive();
    options.generation.seed = settings.seed();
    options.generation.num_predict = static_cast<int>(settings.num_predict());
    options.generation.num_ctx = static_cast<int>(settings.num_ctx());
    options.connect_timeout = milliseconds(settings.connect_timeout_ms());
    model = std::make_unique<churn::ollama::OllamaClient>(options);
    if (!settings.cache_path().empty()) {
      absl::StatusOr<std::unique_ptr<enrichment::ResultCache>> opened =
          enrichment::ResultCache::Open(settings.cache_path());
      if (!opened.ok()) {
        svc::LogError("cache_open_failed",
                      {{"error", opened.status()}, {"cache_path", settings.cache_path()}});
        return opened.status();
      }
      cache = *std::move(opened);
    }
  }
  return std::make_unique<EnrichmentParts>(settings, host, std::move(model), std::move(cache));
}

}  // namespace

int main(int argc, char** argv) {
  return svc::RunService<EnrichmentSettings>("enrichment", argc, argv, CheckedSettings, Build);
}
