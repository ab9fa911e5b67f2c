#include "common/service_process.h"

#include <grpc/grpc.h>
#include <grpc/health/v1/health.pb.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/server_builder.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "status/status_macros.h"

namespace churn::service {
namespace {

sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

constexpr std::string_view kHealthService = "grpc.health.v1.Health";
constexpr std::string_view kReflectionService = "grpc.reflection.v1alpha.ServerReflection";

}  // namespace

absl::StatusOr<ServiceProcessOptions> ServiceProcessOptions::FromSettings(
    std::string_view service_name, const settings::v1::ProcessSettings& settings) {
  CHURN_ASSIGN_OR_RETURN(ServerSecurity security, ServerSecurity::FromSettings(settings));
  ServiceProcessOptions options;
  options.security = std::move(security);
  options.service_name = std::string(service_name);
  options.grpc_address = settings.grpc_address();
  options.metrics_address = settings.metrics_address();
  options.drain_timeout = std::chrono::milliseconds(settings.drain_timeout_ms());
  // Out-of-range counts are refused by Validate(), not wrapped around.
  options.worker_threads =
      static_cast<int>(std::clamp<int64_t>(settings.worker_threads(), -1, 1 << 20));
  options.work_queue = static_cast<int>(std::clamp<int64_t>(settings.work_queue(), -1, 1 << 30));
  options.port_file = settings.port_file();
  return options;
}

absl::Status ServiceProcessOptions::Validate() const {
  if (grpc_address.empty()) return absl::InvalidArgumentError("grpc_address: must not be empty");
  if (metrics_address.empty()) {
    return absl::InvalidArgumentError("metrics_address: must not be empty");
  }
  if (worker_threads < 1 || worker_threads > 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("worker_threads: must be 1..1024, got ", worker_threads));
  }
  if (work_queue < 0) {
    return absl::InvalidArgumentError(absl::StrCat("work_queue: must be >= 0, got ", work_queue));
  }
  if (drain_timeout.count() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("drain_timeout_ms: must be >= 0, got ", drain_timeout.count()));
  }
  // The metrics port carries no customer data and Prometheus scrapes it without a token.
  return security.CheckListenAddress("grpc_address", grpc_address);
}

absl::Status ConfigureLogging(std::string_view service_name,
                              const settings::v1::ProcessSettings& settings) {
  SetLogServiceName(std::string(service_name));
  LogLevel level;
  if (!ParseLogLevel(settings.log_level(), &level)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "log_level: must be debug, info, warn or error, got '", settings.log_level(), "'"));
  }
  SetMinLogLevel(level);
  return absl::OkStatus();
}

ServiceProcess::ServiceProcess(ServiceProcessOptions options)
    : options_(std::move(options)), grpc_metrics_(metrics_.registry()) {
  sigset_t signals = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  executor_ = std::make_unique<concurrency::BoundedExecutor>(
      concurrency::ExecutorOptions{.name = absl::StrCat(options_.service_name, " work"),
                                   .threads = options_.worker_threads,
                                   .max_queue = options_.work_queue});
}

ServiceProcess::~ServiceProcess() { Shutdown(); }

void ServiceProcess::AddService(grpc::Service* service, std::string_view full_name) {
  services_.emplace_back(service, std::string(full_name));
}

absl::Status ServiceProcess::Start() {
  if (server_) return absl::FailedPreconditionError("server already started");
  CHURN_RETURN_IF_ERROR(options_.Validate());
  // A process-wide switch, read by BuildAndStart below.
  grpc::EnableDefaultHealthCheckService(sync_health_ == nullptr);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  // Linking the health messages puts their descriptor in the pool, so the Health series are
  // pre-created like ours (the server side itself lives in grpc++).
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  for (const auto& [service, name] : services_) {
    if (!grpc_metrics_.PreRegisterService(name)) {
      LogWarn("metrics_service_unknown", {{"grpc_service", name}});
    }
  }
  grpc_metrics_.PreRegisterService(kHealthService);
  grpc_metrics_.PreRegisterService(kReflectionService);

  grpc::ServerBuilder builder;
  // gRPC sets SO_REUSEPORT by default: a second instance on a taken port would silently share it
  // instead of failing.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(options_.grpc_address, MakeServerCredentials(options_.security),
                           &grpc_port_);
  for (const auto& [service, name] : services_) builder.RegisterService(service);
  if (sync_health_) {
    builder.RegisterService(sync_health_.get());
    grpc::ResourceQuota quota(absl::StrCat(options_.service_name, " sync threads"));
    quota.SetMaxThreads(options_.worker_threads + SyncHealthService::kMaxWatchers + 2);
    builder.SetResourceQuota(quota);
  }
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(grpc_metrics_.MakeInterceptorFactory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  for (CompletionQueueServer* cq_server : cq_servers_) cq_server->AddTo(builder);

  server_ = builder.BuildAndStart();
  if (!server_ || grpc_port_ == 0) {
    server_.reset();
    for (CompletionQueueServer* cq_server : cq_servers_) cq_server->Stop();
    return absl::UnavailableError(
        absl::StrCat("cannot serve gRPC on ", options_.grpc_address, " (address in use?)"));
  }
  for (CompletionQueueServer* cq_server : cq_servers_) cq_server->Start();
  // The default health service reports SERVING for "" until told otherwise.
  SetServing(false);

  if (absl::Status s = metrics_.Start(options_.metrics_address); !s.ok()) {
    server_->Shutdown(std::chrono::system_clock::now());
    server_->Wait();
    for (CompletionQueueServer* cq_server : cq_servers_) cq_server->Stop();
    server_.reset();
    return s;
  }
  CHURN_RETURN_IF_ERROR(WritePortFile());
  LogInfo("server_started",
          {{"grpc_address", options_.grpc_address},
           {"grpc_port", grpc_port_},
           {"metrics_port", metrics_.port()},
           {"services", static_cast<int64_t>(services_.size())},
           {"tls", !options_.security.tls.enabled()       ? "off"
                   : options_.security.tls.ca_pem.empty() ? "server"
                                                          : "mutual"},
           {"callers", static_cast<int64_t>(options_.security.callers
                                                ? options_.security.callers->entries().size()
                                                : 0)}});
  if (!options_.security.callers) {
    LogWarn("unauthenticated",
            {{"detail", "no auth_tokens_file: every caller that reaches the port has full access"},
             {"grpc_address", options_.grpc_address}});
  }
  return absl::OkStatus();
}

void ServiceProcess::UseSyncHealthService() {
  if (!sync_health_) sync_health_ = std::make_unique<SyncHealthService>();
}

void ServiceProcess::AddCompletionQueueServer(CompletionQueueServer* server) {
  cq_servers_.push_back(server);
}

void ServiceProcess::ExpectPortFileEntry(std::string name) {
  extra_ports_.emplace_back(std::move(name), 0);
}

absl::Status ServiceProcess::SetPortFileEntry(std::string_view name, int port) {
  for (auto& [entry, value] : extra_ports_) {
    if (entry == name) value = port;
  }
  return server_ ? WritePortFile() : absl::OkStatus();
}

absl::Status ServiceProcess::WritePortFile() const {
  if (options_.port_file.empty()) return absl::OkStatus();
  for (const auto& [name, port] : extra_ports_) {
    if (port == 0) return absl::OkStatus();  // written when the last one is known
  }
  // Written aside and renamed, so a reader never sees half a file.
  std::string tmp = options_.port_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "grpc_port=" << grpc_port_ << "\nmetrics_port=" << metrics_.port() << "\n";
    for (const auto& [name, port] : extra_ports_) out << name << "=" << port << "\n";
    if (!out.flush()) return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
  }
  if (std::rename(tmp.c_str(), options_.port_file.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot write ", options_.port_file));
  }
  return absl::OkStatus();
}

void ServiceProcess::SetServing(bool serving) {
  if (!server_) return;
  if (sync_health_) {
    sync_health_->SetServingStatus(serving);  // "" and every name set so far
    for (const auto& [service, name] : services_) sync_health_->SetServingStatus(name, serving);
    LogInfo("health_changed", {{"status", serving ? "SERVING" : "NOT_SERVING"}});
    return;
  }
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health == nullptr) return;
  health->SetServingStatus(serving);  // "" (the whole server)
  for (const auto& [service, name] : services_) health->SetServingStatus(name, serving);
  LogInfo("health_changed", {{"status", serving ? "SERVING" : "NOT_SERVING"}});
}

int ServiceProcess::WaitForShutdownSignal() {
  sigset_t signals = ShutdownSignals();
  int signal_number = 0;
  while (sigwait(&signals, &signal_number) != 0) {
  }
  LogInfo("signal_received", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  Shutdown();
  return signal_number;
}

void ServiceProcess::StopServer() {
  // In-flight RPCs get until the deadline; then gRPC cancels them (their reactors' OnCancel stops
  // the work they started on the executor).
  server_->Shutdown(std::chrono::system_clock::now() + options_.drain_timeout);
  server_->Wait();
  // Every call has ended: the completion queues only hold the requests gRPC handed back.
  for (CompletionQueueServer* cq_server : cq_servers_) cq_server->Stop();
}

void ServiceProcess::DrainExecutor(std::chrono::steady_clock::time_point deadline) {
  if (executor_->Shutdown(deadline)) return;
  // Work that ignores cancellation must not hold the process: it is left to the exit, and the
  // executor with it (its threads still use it).
  LogWarn("work_still_running", {{"busy", executor_->busy()}, {"queued", executor_->queued()}});
  (void)executor_.release();
}
void ServiceProcess::Shutdown() {
  std::call_once(shutdown_once_, [this] {
    if (!server_) {
      DrainExecutor(std::chrono::steady_clock::now() + options_.drain_timeout);
      metrics_.Stop();
      return;
    }
    auto started = std::chrono::steady_clock::now();
    LogInfo("shutdown_started",
            {{"drain_timeout_ms", static_cast<int64_t>(options_.drain_timeout.count())}});
    // Load balancers see NOT_SERVING first; the status can no longer change afterwards.
    if (sync_health_) sync_health_->Shutdown();
    if (grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService()) {
      health->Shutdown();
    }
    for (const std::function<void()>& hook : shutdown_hooks_) hook();
    StopServer();
    auto elapsed_ms = [&started] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now() - started)
          .count();
    };
    LogInfo("grpc_server_stopped", {{"elapsed_ms", elapsed_ms()}});
    // Work not tied to an RPC (a reload, a refresh) gets a short grace of its own.
    DrainExecutor(std::chrono::steady_clock::now() +
                  std::min<std::chrono::steady_clock::duration>(options_.drain_timeout,
                                                                std::chrono::seconds(1)));
    metrics_.Stop();
    LogInfo("shutdown_complete", {{"elapsed_ms", elapsed_ms()}});
  });
}

}  // namespace churn::service
