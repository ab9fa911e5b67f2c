#pragma once
// An EnrichmentObserver that remembers what it heard, for assertions.

#include <map>
#include <mutex>
#include <string>

#include "enrichment/enrichment_observer.h"

namespace churn::enrichment {

class RecordingObserver : public EnrichmentObserver {
 public:
  void OnTicketFinished(const EnrichmentResult& result) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++outcomes_[std::string(ModelCallOutcomeName(result.outcome))];
    tokens_ += result.usage.eval_count;
  }
  void OnCacheHit() override {
    std::lock_guard<std::mutex> lock(mu_);
    ++cache_hits_;
  }
  void OnCacheError(const absl::Status&) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++cache_errors_;
  }
  void OnInFlightChanged(int delta) override {
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_ += delta;
    max_in_flight_ = std::max(max_in_flight_, in_flight_);
  }
  void OnQueueDepthChanged(int delta) override {
    std::lock_guard<std::mutex> lock(mu_);
    queue_depth_ += delta;
    max_queue_depth_ = std::max(max_queue_depth_, queue_depth_);
  }

  int outcome(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = outcomes_.find(name);
    return it == outcomes_.end() ? 0 : it->second;
  }
  int cache_hits() const { return Locked(cache_hits_); }
  int cache_errors() const { return Locked(cache_errors_); }
  int in_flight() const { return Locked(in_flight_); }
  int max_in_flight() const { return Locked(max_in_flight_); }
  int queue_depth() const { return Locked(queue_depth_); }
  int max_queue_depth() const { return Locked(max_queue_depth_); }
  int64_t tokens() const {
    std::lock_guard<std::mutex> lock(mu_);
    return tokens_;
  }

 private:
  int Locked(const int& value) const {
    std::lock_guard<std::mutex> lock(mu_);
    return value;
  }

  mutable std::mutex mu_;
  std::map<std::string, int> outcomes_;
  int cache_hits_ = 0;
  int cache_errors_ = 0;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
  int queue_depth_ = 0;
  int max_queue_depth_ = 0;
  int64_t tokens_ = 0;
};

}  // namespace churn::enrichment
