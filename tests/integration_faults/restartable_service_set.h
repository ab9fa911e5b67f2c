#pragma once
// The four real services on fixed loopback ports (reserved up front, so the gateway knows its
// neighbours' addresses and every service can be killed and started again on the same port), for
// the fault-injection tests: kill -9 one service, start it again, and see what callers saw.

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "integration/port_reservation.h"
#include "integration/process.h"

namespace churn::testing {

enum class Service { kIngest, kScoring, kEnrichment, kGateway };
const char* ServiceName(Service service);
inline constexpr std::array<Service, 4> kAllServices = {Service::kIngest, Service::kScoring,
                                                        Service::kEnrichment, Service::kGateway};

struct ServiceSetConfig {
  std::string data_dir;                   // the five tables (churnctl generate)
  std::string tickets_dir;                // ingest's ticket text sets
  std::string work_dir;                   // enrichment cache
  std::string outcomes_db;                // the gateway's outcome log
  std::string model_url;                  // empty: enrichment runs without a model (fallback only)
  std::vector<std::string> gateway_args;  // extra flags
};

class RestartableServiceSet {
 public:
  explicit RestartableServiceSet(ServiceSetConfig config);

  // Starts every service, then waits until the gateway is SERVING (its first views exist).
  absl::Status StartAll();
  // Starts one service on its port (the gateway: its HTTP port; gRPC and metrics are ephemeral).
  absl::Status Start(Service service);
  // SIGKILL and reap.
  void Kill(Service service);
  ServiceProcess* process(Service service) { return processes_[Index(service)].get(); }

  int http_port() const { return http_port_.port(); }
  std::string gateway_grpc_target() const;

 private:
  static size_t Index(Service service) { return static_cast<size_t>(service); }
  std::vector<std::string> ArgsOf(Service service) const;

  const ServiceSetConfig config_;
  PortReservation ingest_port_;
  PortReservation scoring_port_;
  PortReservation enrichment_port_;
  PortReservation http_port_;
  std::array<std::unique_ptr<ServiceProcess>, 4> processes_;
};

}  // namespace churn::testing
