#pragma once
// The one Prometheus registry of a service and the HTTP endpoint that serves it on /metrics.
// Families are created once against registry() (at startup) and cached by their owners.

#include <memory>
#include <string>

#include "absl/status/status.h"

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace churn::service {

class MetricsEndpoint {
 public:
  MetricsEndpoint();
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  prometheus::Registry& registry() { return *registry_; }

  // Starts serving /metrics on `address` ("host:port"; port 0 picks a free one).
  absl::Status Start(const std::string& address);
  // The bound port (0 before Start).
  int port() const { return port_; }
  // Stops the HTTP server; the registry stays usable.
  void Stop();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace churn::service
