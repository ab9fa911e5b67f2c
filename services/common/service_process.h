#pragma once
// ServiceProcess: the process shell every service binary shares. It owns the gRPC server (callback
// services + grpc.health.v1 + reflection + the metrics interceptor), the service's one bounded
// executor for blocking work, the /metrics endpoint, the port file for tests and the
// SIGTERM/SIGINT handling with a bounded drain:
//
//   ServiceProcess host(*ServiceProcessOptions::FromSettings("scoring", settings.process()));
//   MyService service(..., host.metrics_registry());
//   host.AddService(&service, churn::v1::MyService::service_full_name());
//   if (auto s = host.Start(); !s.ok()) ...                       // health: NOT_SERVING
//   ... load data/rules ...; host.SetServing(true);
//   host.WaitForShutdownSignal();                                 // drains, stops /metrics last

#include <grpcpp/server.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/grpc_metrics.h"
#include "concurrency/bounded_executor.h"
#include "common/completion_queue_server.h"
#include "common/metrics_endpoint.h"
#include "common/server_security.h"
#include "common/sync_health_service.h"
#include "churn/settings/v1/process_settings.pb.h"

namespace churn::service {

struct ServiceProcessOptions {
  std::string service_name;     // short name, for logs ("scoring")
  std::string grpc_address;     // host:port, port 0 = ephemeral
  std::string metrics_address;  // host:port, port 0 = ephemeral
  std::chrono::milliseconds drain_timeout{5000};
  int worker_threads = 8;   // the executor's threads
  int work_queue = 64;      // tasks that may wait for one
  std::string port_file;    // empty: none
  ServerSecurity security;  // tokens and TLS; default: no authentication, plaintext

  // Reads the tokens file and certificates, so a missing or malformed one is an error naming the
  // setting.
  static absl::StatusOr<ServiceProcessOptions> FromSettings(
      std::string_view service_name, const settings::v1::ProcessSettings& settings);
  // INVALID_ARGUMENT naming the key when a value is unusable, FAILED_PRECONDITION when an
  // address reachable from other machines would serve without authentication; Start() checks
  // it too.
  absl::Status Validate() const;
};

// Sets the service name and level of the structured logs (setting log_level).
absl::Status ConfigureLogging(std::string_view service_name,
                              const settings::v1::ProcessSettings& settings);

class ServiceProcess {
 public:
  // Blocks SIGTERM and SIGINT in the calling thread, so construct it before any thread starts:
  // every thread inherits the mask and the signals wait for WaitForShutdownSignal(). Starts the
  // executor's threads.
  explicit ServiceProcess(ServiceProcessOptions options);
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  // The service's one registry: create domain metric families here before Start().
  prometheus::Registry& metrics_registry() { return metrics_.registry(); }

  // Where handlers run what blocks (a load, a neighbour or model call), so no gRPC thread waits
  // and no thread is started per request. Drained after the gRPC server, before /metrics stops.
  concurrency::BoundedExecutor& executor() { return *executor_; }

  // Before Start(). `full_name` is the generated Service::service_full_name(); it names the
  // health status and the pre-created metric series.
  void AddService(grpc::Service* service, std::string_view full_name);

  // Before Start(): methods served from completion queues of their own (gRPC's async API) in
  // `server`, whose methods the service marked async. Started with the gRPC server, stopped
  // after it has drained; `server` must outlive this process shell's Shutdown().
  void AddCompletionQueueServer(CompletionQueueServer* server);

  // Before Start(), for a service with no callback method (its methods async or sync): health
  // is answered by a SyncHealthService on gRPC's sync threads instead of gRPC's default health
  // service, a callback service whose two callback threads would join every poller hand-off
  // (one more wake-up and context switch per call of every method). The sync threads (sync
  // methods, health Watch streams, reflection) are then capped at worker_threads +
  // SyncHealthService::kMaxWatchers + 2; a call finding none free gets RESOURCE_EXHAUSTED.
  void UseSyncHealthService();

  // A port the service binds itself after Start() (the gateway's HTTP port), as `name=N` in the
  // port file. Before Start(): the port file then waits for SetPortFileEntry, so a reader never
  // sees it without that port.
  void ExpectPortFileEntry(std::string name);
  // Writes the port file once every expected entry has its port.
  absl::Status SetPortFileEntry(std::string_view name, int port);

  // Binds both ports, starts serving (health NOT_SERVING) and writes the port file unless an
  // expected entry is still missing.
  absl::Status Start();

  // Health of "" and of every added service.
  void SetServing(bool serving);

  int grpc_port() const { return grpc_port_; }
  const ServerSecurity& security() const { return options_.security; }
  int metrics_port() const { return metrics_.port(); }
  grpc::Server* server() { return server_.get(); }

  // Blocks until SIGTERM or SIGINT, then Shutdown(). Returns the signal number.
  int WaitForShutdownSignal();

  // NOT_SERVING, lets in-flight RPCs finish for up to drain_timeout and cancels the rest, lets
  // the executor's remaining work end, then stops /metrics (last, so the final counts can still
  // be scraped while draining). Idempotent.
  void Shutdown();
  // Runs at the start of Shutdown(), after NOT_SERVING and before the drain: ends streams that
  // would otherwise stay open until the drain deadline (they have no natural end). Call before
  // Start().
  void OnShutdownStarted(std::function<void()> hook) { shutdown_hooks_.push_back(std::move(hook)); }

 private:
  absl::Status WritePortFile() const;
  void StopServer();
  void DrainExecutor(std::chrono::steady_clock::time_point deadline);

  ServiceProcessOptions options_;
  MetricsEndpoint metrics_;
  GrpcServerMetrics grpc_metrics_;
  std::vector<std::pair<grpc::Service*, std::string>> services_;
  std::vector<CompletionQueueServer*> cq_servers_;
  std::vector<std::pair<std::string, int>> extra_ports_;  // 0: not bound yet
  std::unique_ptr<concurrency::BoundedExecutor> executor_;
  std::unique_ptr<SyncHealthService> sync_health_;  // null: gRPC's default health service
  std::unique_ptr<grpc::Server> server_;
  int grpc_port_ = 0;
  std::once_flag shutdown_once_;
  std::vector<std::function<void()>> shutdown_hooks_;
};

}  // namespace churn::service
