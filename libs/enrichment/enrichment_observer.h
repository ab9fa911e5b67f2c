#pragma once
// What the enricher reports as it works, for metrics. The library knows nothing of Prometheus:
// the service implements this with its registry. Calls come from any thread, concurrently.

#include "absl/status/status.h"
#include "enrichment/enrichment_result.h"

namespace churn::enrichment {

class EnrichmentObserver {
 public:
  virtual ~EnrichmentObserver() = default;

  // Once per analysed ticket (cancelled ones included, with outcome kError).
  virtual void OnTicketFinished(const EnrichmentResult& result) = 0;
  virtual void OnCacheHit() = 0;
  // A cache that fails is skipped (the ticket goes to the model), but operators should know.
  virtual void OnCacheError(const absl::Status& error) = 0;
  // Tickets being analysed right now.
  virtual void OnInFlightChanged(int delta) = 0;
  // Tickets waiting for a model slot.
  virtual void OnQueueDepthChanged(int delta) = 0;
};

}  // namespace churn::enrichment
