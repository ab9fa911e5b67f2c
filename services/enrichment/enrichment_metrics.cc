#include "enrichment_metrics.h"

#include "common/logging.h"
#include "common/metric_registrar.h"

namespace churn::enrichment_service {
namespace {

using enrichment::ModelCallOutcome;

// From a cache hit (milliseconds) to a model on CPU hitting the default 60 s timeout.
const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120};
constexpr ModelCallOutcome kAllOutcomes[] = {
    ModelCallOutcome::kOk, ModelCallOutcome::kTimeout, ModelCallOutcome::kInvalidOutput,
    ModelCallOutcome::kUnavailable, ModelCallOutcome::kError};
constexpr const char* kSources[] = {"model", "fallback"};
constexpr const char* kPaths[] = {"model", "cache", "fallback"};

double Seconds(int64_t nanoseconds) { return static_cast<double>(nanoseconds) / 1e9; }

}  // namespace

EnrichmentMetrics::EnrichmentMetrics(prometheus::Registry& registry, const std::string& model) {
  service::MetricRegistrar metrics(registry);
  auto& requests =
      metrics.CounterFamily("churn_enrichment_requests_total",
                            "Tickets analysed, by how the model call ended, the model and the "
                            "analyser whose answer was returned.");
  for (ModelCallOutcome outcome : kAllOutcomes) {
    for (int source = 0; source < 2; ++source) {
      requests_[static_cast<int>(outcome)][source] =
          &requests.Add({{"outcome", std::string(enrichment::ModelCallOutcomeName(outcome))},
                         {"model", model},
                         {"source", kSources[source]}});
    }
  }
  auto& latency =
      metrics.HistogramFamily("churn_enrichment_latency_seconds",
                              "Time to analyse one ticket, by path: model (the model was asked), "
                              "cache, fallback (the model was never asked).");
  for (int path = 0; path < 3; ++path) {
    latency_[path] = &latency.Add({{"path", kPaths[path]}}, kLatencyBuckets);
  }
  tokens_ = metrics.Counter("churn_enrichment_tokens_generated_total",
                            "Tokens the model generated (Ollama's eval_count).");
  eval_seconds_ = metrics.Counter("churn_enrichment_eval_seconds_total",
                                  "Time the model spent generating (Ollama's eval_duration).");
  load_seconds_ = metrics.Counter("churn_enrichment_model_load_seconds_total",
                                  "Time Ollama spent loading the model for our requests "
                                  "(load_duration).");
  cache_hits_ = metrics.Counter("churn_enrichment_cache_hits_total",
                                "Tickets answered from the result cache without asking the model.");
  cache_errors_ =
      metrics.Counter("churn_enrichment_cache_errors_total",
                      "Result cache reads or writes that failed (the model was asked).");
  in_flight_ = metrics.Gauge("churn_enrichment_in_flight", "Tickets being analysed right now.");
  queue_depth_ = metrics.Gauge("churn_enrichment_queue_depth",
                               "Tickets waiting for a model slot (bounded by max_queue).");
  ollama_ready_ = metrics.Gauge("churn_enrichment_ollama_ready",
                                "1 when Ollama answers and has the configured model, else 0.");
}

void EnrichmentMetrics::OnTicketFinished(const enrichment::EnrichmentResult& result) {
  const int source = result.analysis.source == "model" ? 0 : 1;
  requests_[static_cast<int>(result.outcome)][source]->Increment();
  const int path = result.cached ? 1 : result.model_called ? 0 : 2;
  latency_[path]->Observe(std::chrono::duration<double>(result.latency).count());
  tokens_->Increment(static_cast<double>(result.usage.eval_count));
  eval_seconds_->Increment(Seconds(result.usage.eval_duration_ns));
  load_seconds_->Increment(Seconds(result.usage.load_duration_ns));
}

void EnrichmentMetrics::OnCacheHit() { cache_hits_->Increment(); }

void EnrichmentMetrics::OnCacheError(const absl::Status& error) {
  cache_errors_->Increment();
  service::LogWarn("cache_error", {{"error", error}});
}

void EnrichmentMetrics::OnInFlightChanged(int delta) { in_flight_->Increment(delta); }

void EnrichmentMetrics::OnQueueDepthChanged(int delta) { queue_depth_->Increment(delta); }

void EnrichmentMetrics::SetOllamaReady(bool ready) { ollama_ready_->Set(ready ? 1 : 0); }

}  // namespace churn::enrichment_service
