#pragma once
// A real Prometheus server (Debian's `prometheus`) for the monitoring tests: started on a free
// loopback port with a test's config, asked through its HTTP API, stopped with SIGTERM.
//
//   if (std::optional<std::string> missing = MissingPrometheus()) CHURN_SKIP_UNLESS_CI(*missing);
//   auto prometheus = PrometheusServer::Start(config_path, storage_dir);
//   absl::StatusOr<nlohmann::json> result = (*prometheus)->Query("sum(up)");

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace churn::testing {

inline constexpr char kPrometheusBinary[] = "/usr/bin/prometheus";

// Why the monitoring tests cannot run here (the binary is missing), or nullopt.
std::optional<std::string> MissingPrometheus();

// A port the kernel just handed out on 127.0.0.1 (Prometheus has no port file, so it is told one).
int FreeLoopbackPort();

class PrometheusServer {
 public:
  // Spawns Prometheus with `config_file`, its TSDB in `storage_dir`, and waits until /-/ready
  // answers 200. Fails (and stops the process) when it exits first or does not become ready.
  static absl::StatusOr<std::unique_ptr<PrometheusServer>> Start(
      const std::string& config_file, const std::string& storage_dir,
      std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~PrometheusServer();  // SIGTERM, then SIGKILL after a few seconds; always reaped
  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  int port() const { return port_; }

  // GET /api/v1/query: the `data.result` array of an instant query.
  absl::StatusOr<nlohmann::json> Query(const std::string& promql) const;
  // GET /api/v1/alerts: the `data.alerts` array (pending and firing alerts).
  absl::StatusOr<nlohmann::json> Alerts() const;
  // GET /api/v1/rules: the `data.groups` array with every rule's health and last error.
  absl::StatusOr<nlohmann::json> RuleGroups() const;

 private:
  PrometheusServer(pid_t pid, int port) : pid_(pid), port_(port) {}
  absl::StatusOr<nlohmann::json> GetData(const std::string& path,
                                         const std::string& query) const;

  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace churn::testing
