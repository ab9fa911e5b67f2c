#include "model_readiness.h"

#include "common/logging.h"

namespace churn::enrichment_service {

using ollama::Clock;
using service::LogInfo;
using service::LogWarn;

ModelReadinessMonitor::ModelReadinessMonitor(const ollama::OllamaClient* client,
                                             ReadinessOptions options, Listener listener)
    : client_(client), options_(options), listener_(std::move(listener)) {}

ModelReadinessMonitor::~ModelReadinessMonitor() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

void ModelReadinessMonitor::Start() {
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

void ModelReadinessMonitor::Run(std::stop_token stop) {
  bool warmed = !options_.warm_up;
  int last_state = -1;  // unknown
  std::mutex sleep_mu;
  std::condition_variable_any sleep_cv;
  while (!stop.stop_requested()) {
    absl::StatusOr<ollama::ServerStatus> status =
        client_->CheckReady(Clock::now() + options_.check_timeout, stop);
    if (stop.stop_requested()) return;
    const bool ready = status.ok();
    if (static_cast<int>(ready) != last_state) {
      if (ready) {
        LogInfo("ollama_ready", {{"url", client_->options().base_url},
                                 {"model", client_->options().model},
                                 {"version", status->version}});
      } else {
        LogWarn("ollama_not_ready", {{"url", client_->options().base_url},
                                     {"model", client_->options().model},
                                     {"error", status.status()}});
      }
      last_state = ready;
    }
    listener_(ready, status.status());
    if (ready && !warmed) {
      const auto started = Clock::now();
      absl::StatusOr<ollama::ChatReply> warm =
          client_->WarmUp(started + options_.warm_up_timeout, stop);
      if (stop.stop_requested()) return;
      if (warm.ok()) {
        warmed = true;
        LogInfo("model_warmed_up",
                {{"model", client_->options().model},
                 {"load_ms", warm->load_duration_ns / 1000000},
                 {"elapsed_ms",
                  static_cast<int64_t>(
                      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started)
                          .count())}});
      } else {
        LogWarn("model_warm_up_failed",
                {{"model", client_->options().model}, {"error", warm.status()}});
      }
    }
    std::unique_lock<std::mutex> lock(sleep_mu);
    sleep_cv.wait_for(lock, stop, options_.interval, [] { return false; });
  }
}

}  // namespace churn::enrichment_service
