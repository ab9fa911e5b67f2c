#pragma once
// The enrichment service's domain metrics, created once in the service's registry; they are
// what operators watch for LLM timeouts and throughput:
//   churn_enrichment_requests_total{outcome,model,source}  tickets analysed; outcome ok, timeout,
//                                                          invalid_output, unavailable, error
//   churn_enrichment_latency_seconds{path}                 per ticket; path model (the model was
//                                                          asked), cache, fallback (never asked)
//   churn_enrichment_tokens_generated_total                Ollama's eval_count, summed
//   churn_enrichment_eval_seconds_total                    Ollama's eval_duration, summed
//                                                          (tokens/s = rate(tokens) / rate(this))
//   churn_enrichment_model_load_seconds_total              Ollama's load_duration, summed
//   churn_enrichment_cache_hits_total, churn_enrichment_cache_errors_total
//   churn_enrichment_in_flight                             tickets being analysed
//   churn_enrichment_queue_depth                           tickets waiting for a model slot
//   churn_enrichment_ollama_ready                          1 when Ollama answers and has the model

#include <array>
#include <string>

#include "common/metric_registrar.h"
#include "enrichment/enrichment_observer.h"

namespace churn::enrichment_service {

class EnrichmentMetrics final : public enrichment::EnrichmentObserver {
 public:
  // `model` labels the requests ("none" when the model is disabled).
  EnrichmentMetrics(prometheus::Registry& registry, const std::string& model);

  void OnTicketFinished(const enrichment::EnrichmentResult& result) override;
  void OnCacheHit() override;
  void OnCacheError(const absl::Status& error) override;
  void OnInFlightChanged(int delta) override;
  void OnQueueDepthChanged(int delta) override;

  void SetOllamaReady(bool ready);

 private:
  static constexpr int kOutcomes = 5;  // enrichment::ModelCallOutcome values
  // [outcome][0 = model, 1 = fallback]
  std::array<std::array<prometheus::Counter*, 2>, kOutcomes> requests_{};
  // [0 = model, 1 = cache, 2 = fallback]
  std::array<prometheus::Histogram*, 3> latency_{};
  prometheus::Counter* tokens_;
  prometheus::Counter* eval_seconds_;
  prometheus::Counter* load_seconds_;
  prometheus::Counter* cache_hits_;
  prometheus::Counter* cache_errors_;
  prometheus::Gauge* in_flight_;
  prometheus::Gauge* queue_depth_;
  prometheus::Gauge* ollama_ready_;
};

}  // namespace churn::enrichment_service
