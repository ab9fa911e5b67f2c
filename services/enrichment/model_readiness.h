#pragma once
// Watches whether Ollama can serve the configured model: checks at start, warms the model up
// once it is there (so the first ticket does not pay the load), then re-checks on an interval.
// Readiness is reported, not enforced: the enricher still tries the model per ticket, with its
// own deadline, and falls back when it cannot; the service is SERVING either way.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>

#include "absl/status/status.h"
#include "ollama/ollama_client.h"

namespace churn::enrichment_service {

struct ReadinessOptions {
  std::chrono::milliseconds interval{15000};
  std::chrono::milliseconds check_timeout{2000};
  bool warm_up = true;
  std::chrono::milliseconds warm_up_timeout{300000};  // loading a model on CPU takes minutes
};

class ModelReadinessMonitor {
 public:
  // Called from the monitor thread on every check with its result.
  using Listener = std::function<void(bool ready, const absl::Status& why_not)>;

  // `client` must outlive the monitor.
  ModelReadinessMonitor(const ollama::OllamaClient* client, ReadinessOptions options,
                        Listener listener);
  ~ModelReadinessMonitor();  // stops and joins (an in-progress check or warm-up is cancelled)
  ModelReadinessMonitor(const ModelReadinessMonitor&) = delete;
  ModelReadinessMonitor& operator=(const ModelReadinessMonitor&) = delete;

  void Start();

 private:
  void Run(std::stop_token stop);

  const ollama::OllamaClient* const client_;
  const ReadinessOptions options_;
  const Listener listener_;
  std::jthread thread_;
};

}  // namespace churn::enrichment_service
