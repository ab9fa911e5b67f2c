#pragma once
// Runs a real service binary for an integration test: spawns it with a --port_file, waits until
// the file names the bound ports, and stops it with SIGTERM (as an orchestrator would) or SIGKILL
// when the test is torn down. Reusable for every churn-* service:
//
//   auto process = ServiceProcess::Start(CHURN_SCORING_BINARY,
//                                        {"--grpc_address=127.0.0.1:0",
//                                        "--metrics_address=127.0.0.1:0"});
//   ASSERT_TRUE(process.ok()) << process.status();
//   auto channel = grpc::CreateChannel((*process)->grpc_target(), ...);
//   ...
//   EXPECT_EQ((*process)->Terminate(std::chrono::seconds(10)).value_or(-1), 0);

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace churn::testing {

class ServiceProcess {
 public:
  struct Options {
    std::vector<std::string> args;
    // Added to (or replacing) the test's own environment, e.g. {"CHURN_SCORING_MAX_BATCH", "2"}.
    std::vector<std::pair<std::string, std::string>> env;
    // How long to wait for the port file.
    std::chrono::milliseconds start_timeout{30000};
  };

  // Spawns `binary` with options.args plus --port_file=<fresh temp file> and waits until the
  // file lists grpc_port and metrics_port. Fails (and kills the child) when the process exits
  // first or the timeout passes.
  static absl::StatusOr<std::unique_ptr<ServiceProcess>> Start(const std::string& binary,
                                                               Options options);
  static absl::StatusOr<std::unique_ptr<ServiceProcess>> Start(const std::string& binary,
                                                               std::vector<std::string> args) {
    Options options;
    options.args = std::move(args);
    return Start(binary, std::move(options));
  }

  // A service as the system tests run it: metrics on an ephemeral port, a short drain and only
  // warnings in its log.
  static absl::StatusOr<std::unique_ptr<ServiceProcess>> StartQuiet(
      const std::string& binary, std::vector<std::string> args,
      std::chrono::milliseconds start_timeout) {
    args.push_back("--metrics_address=127.0.0.1:0");
    args.push_back("--drain_timeout_ms=1000");
    args.push_back("--log_level=warn");
    Options options;
    options.args = std::move(args);
    options.start_timeout = start_timeout;
    return Start(binary, std::move(options));
  }

  ~ServiceProcess();  // Terminate (SIGTERM, then SIGKILL after 10 s), if still running
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  pid_t pid() const { return pid_; }
  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }
  std::string grpc_target() const { return "127.0.0.1:" + std::to_string(grpc_port_); }

  // Sends SIGTERM and waits for the exit. Returns the exit code (128 + signal when killed by a
  // signal); DEADLINE_EXCEEDED (after SIGKILL) when it did not exit in time.
  absl::StatusOr<int> Terminate(std::chrono::milliseconds timeout);
  // Waits for the process to exit by itself.
  absl::StatusOr<int> WaitForExit(std::chrono::milliseconds timeout);
  bool Running();

 private:
  ServiceProcess(pid_t pid, std::string temp_dir) : pid_(pid), temp_dir_(std::move(temp_dir)) {}
  // Polls waitpid; true and *exit_code set once the child has exited.
  bool Reap(int* exit_code);

  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = 0;
  std::string temp_dir_;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
};

}  // namespace churn::testing
