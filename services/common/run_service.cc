#include "common/run_service.h"

#include <cstdio>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/logging.h"
#include "settings/settings_loader.h"

namespace churn::service {
namespace {

int SettingsError(std::string_view name, const absl::Status& status) {
  std::fprintf(stderr, "churn-%.*s: %s\n", static_cast<int>(name.size()), name.data(),
               std::string(status.message()).c_str());
  return 2;
}

}  // namespace

int RunServiceProcess(std::string_view name, int argc, char** argv,
                      google::protobuf::Message& message,
                      const std::function<const settings::v1::ProcessSettings&()>& process,
                      const std::function<absl::Status(const ServiceProcessOptions&)>& check,
                      const BuildParts& build) {
  const std::string service(name);
  settings::SettingsSources sources;
  sources.program = "churn-" + service;
  sources.env_prefix = "CHURN_" + absl::AsciiStrToUpper(service) + "_";
  sources.default_file = "config/" + service + "-service.yaml";
  sources.args.assign(argv + 1, argv + argc);
  absl::StatusOr<settings::SettingsReport> report = settings::LoadSettings(sources, &message);
  if (!report.ok()) return SettingsError(name, report.status());
  if (report->help_requested) {
    std::printf(
        "%s: settings, read from the YAML file (--config), then the environment (%s<KEY>), then "
        "flags (--key=value); '-' and '_' are the same in flag names:\n\n%s\n  --help\n      "
        "print this text and exit\n",
        sources.program.c_str(), sources.env_prefix.c_str(),
        settings::SettingsHelp(sources, *message.GetDescriptor()).c_str());
    return 0;
  }
  if (absl::Status s = ConfigureLogging(name, process()); !s.ok()) {
    return SettingsError(name, s);
  }
  absl::StatusOr<ServiceProcessOptions> options =
      ServiceProcessOptions::FromSettings(name, process());
  absl::Status valid = options.ok() ? options->Validate() : options.status();
  if (valid.ok()) valid = check(*options);
  if (!valid.ok()) {
    LogError("config_invalid", {{"error", valid}});
    return 2;
  }
  std::vector<LogField> effective;
  for (const auto& [key, value] : report->effective) effective.emplace_back(key, value);
  Log(LogLevel::kInfo, "config_loaded", effective);

  // Abseil's lock-order checking, on by default in this build of it, records every acquisition of
  // every absl::Mutex (gRPC's included) in a global graph: a few percent of a unary call's CPU.
  // The services' own locks are checked at build time (thread_safety_analysis) and by the TSan
  // tests instead; set before any thread starts.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // First, before any thread: it blocks SIGTERM/SIGINT for every thread started later.
  ServiceProcess host(*std::move(options));
  absl::StatusOr<std::unique_ptr<ServiceParts>> parts = build(host);
  if (!parts.ok()) {
    LogError("start_failed", {{"error", parts.status()}});
    return 1;
  }
  if (absl::Status s = host.Start(); !s.ok()) {
    LogError("start_failed", {{"error", s}});
    return 1;
  }
  if (absl::Status s = (*parts)->Start(); !s.ok()) {
    LogError("start_failed", {{"error", s}});
    host.Shutdown();
    return 1;
  }
  host.WaitForShutdownSignal();
  (*parts)->Stop();
  return 0;
}

}  // namespace churn::service
