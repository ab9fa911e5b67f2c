#pragma once
// The four real services (and, on request, the fake Ollama as their model) on loopback ports,
// started the way the monitoring tests need them: explicit 127.0.0.1 addresses everywhere, a
// short gateway refresh interval, and the ports Prometheus must scrape.

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "integration/process.h"

namespace churn::testing {

struct ServiceSetOptions {
  // Folder holding the five tables.
  std::string data_dir;
  // Where the SQLite files (enrichment cache, outcome log) go.
  std::string work_dir;
  // Start fake-ollama and let enrichment use it as its model; otherwise use_model=false.
  std::string fake_ollama_binary;
};

class ServiceSet {
 public:
  // Starts ingest, scoring, enrichment and the gateway, and waits until the gateway is SERVING
  // (it has scored the snapshot through ScoringService).
  absl::Status Start(const ServiceSetOptions& options);

  ServiceProcess& ingest() { return *ingest_; }
  ServiceProcess& scoring() { return *scoring_; }
  ServiceProcess& enrichment() { return *enrichment_; }
  ServiceProcess& gateway() { return *gateway_; }
  int gateway_http_port() const { return gateway_http_port_; }

  // Prometheus job name (as in deploy/prometheus/prometheus.yml) -> metrics port.
  std::map<std::string, int> MetricsPortsByJob() const;

 private:
  std::unique_ptr<ServiceProcess> fake_ollama_;
  std::unique_ptr<ServiceProcess> ingest_;
  std::unique_ptr<ServiceProcess> scoring_;
  std::unique_ptr<ServiceProcess> enrichment_;
  std::unique_ptr<ServiceProcess> gateway_;
  int gateway_http_port_ = 0;
};

}  // namespace churn::testing
