#pragma once
// The main() of every service binary: its settings (the YAML file, CHURN_<SERVICE>_<KEY>,
// --key=value; --help), the logs, the process shell (ServiceProcess) and its lifecycle, around
// the parts each service adds:
//
//   int main(int argc, char** argv) {
//     return RunService<ScoringSettings>("scoring", argc, argv, ScoringOptionsFromSettings,
//                                        BuildScoringParts);
//   }
//
// Order: settings -> logging -> process and service options (errors: exit 2, before anything
// starts) -> ServiceProcess (blocks SIGTERM/SIGINT before any thread) -> the parts are built and
// add their gRPC services -> the server starts (NOT_SERVING; failure: exit 1) -> the parts start
// (failure: the process shuts down, exit 1) -> SIGTERM/SIGINT: the process drains (gRPC, the
// executor, /metrics last) -> the parts stop -> exit 0.

#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "churn/settings/v1/process_settings.pb.h"
#include "common/service_process.h"
#include "google/protobuf/message.h"

namespace churn::service {

// What a service runs inside its ServiceProcess beyond the gRPC services it added when built.
class ServiceParts {
 public:
  virtual ~ServiceParts() = default;
  // After the gRPC server listens (health NOT_SERVING). On error, undo what this started.
  virtual absl::Status Start() { return absl::OkStatus(); }
  // After the process drained: gRPC, the executor and /metrics have stopped.
  virtual void Stop() {}
};

using BuildParts = std::function<absl::StatusOr<std::unique_ptr<ServiceParts>>(ServiceProcess&)>;

// The type-independent body of RunService. `check` validates the loaded settings (and keeps what
// it derived for `build`); its errors are settings errors.
int RunServiceProcess(std::string_view name, int argc, char** argv,
                      google::protobuf::Message& message,
                      const std::function<const settings::v1::ProcessSettings&()>& process,
                      const std::function<absl::Status(const ServiceProcessOptions&)>& check,
                      const BuildParts& build);

// `Settings` is the service's settings message (with its ProcessSettings `process`); `Options`
// what the service's code reads, derived and range-checked by `options_from`.
template <typename Settings, typename Options>
int RunService(std::string_view name, int argc, char** argv,
               absl::StatusOr<Options> (*options_from)(const Settings&,
                                                       const ServiceProcessOptions&),
               absl::StatusOr<std::unique_ptr<ServiceParts>> (*build)(const Options&,
                                                                      ServiceProcess&)) {
  Settings settings;
  std::optional<Options> options;
  return RunServiceProcess(
      name, argc, argv, settings, [&settings]() -> const auto& { return settings.process(); },
      [&](const ServiceProcessOptions& process) -> absl::Status {
        absl::StatusOr<Options> derived = options_from(settings, process);
        if (!derived.ok()) return derived.status();
        options.emplace(*std::move(derived));
        return absl::OkStatus();
      },
      [&](ServiceProcess& host) { return build(*options, host); });
}

}  // namespace churn::service
