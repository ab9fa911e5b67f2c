#include "integration/process.h"

#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

extern char** environ;

namespace churn::testing {
namespace {

using Clock = std::chrono::steady_clock;

// "grpc_port=N\nmetrics_port=M\n" -> {key: value}; incomplete files yield fewer keys.
std::map<std::string, int> ReadPortFile(const std::string& path) {
  std::map<std::string, int> ports;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    int value = 0;
    if (absl::SimpleAtoi(line.substr(eq + 1), &value)) ports[line.substr(0, eq)] = value;
  }
  return ports;
}

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ServiceProcess>> ServiceProcess::Start(const std::string& binary,
                                                                      Options options) {
  std::string temp_template =
      (std::filesystem::temp_directory_path() / "churn-service-XXXXXX").string();
  if (::mkdtemp(temp_template.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp: ", std::strerror(errno)));
  }
  const std::string port_file = temp_template + "/ports";

  // Everything is prepared before spawning: posix_spawn is safe in a threaded test process.
  std::vector<std::string> args = {binary};
  args.insert(args.end(), options.args.begin(), options.args.end());
  args.push_back("--port_file=" + port_file);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    bool overridden = false;
    for (const auto& [name, value] : options.env) {
      if (entry.rfind(name + "=", 0) == 0) overridden = true;
    }
    if (!overridden) env_strings.push_back(std::move(entry));
  }
  for (const auto& [name, value] : options.env) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);

  // The child starts with default signal handling and nothing blocked, whatever the test does.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty_mask, default_signals;
  sigemptyset(&empty_mask);
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGTERM);
  sigaddset(&default_signals, SIGINT);
  sigaddset(&default_signals, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &empty_mask);
  posix_spawnattr_setsigdefault(&attr, &default_signals);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, binary.c_str(), nullptr, &attr, argv.data(), envp.data());
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return absl::InternalError(absl::StrCat("cannot start ", binary, ": ", std::strerror(rc)));
  }

  std::unique_ptr<ServiceProcess> process(new ServiceProcess(pid, temp_template));
  const auto deadline = Clock::now() + options.start_timeout;
  while (true) {
    std::map<std::string, int> ports = ReadPortFile(port_file);
    if (ports.count("grpc_port") > 0 && ports.count("metrics_port") > 0) {
      process->grpc_port_ = ports["grpc_port"];
      process->metrics_port_ = ports["metrics_port"];
      return process;
    }
    int exit_code = 0;
    if (process->Reap(&exit_code)) {
      return absl::FailedPreconditionError(
          absl::StrCat(binary, " exited with code ", exit_code, " before listening"));
    }
    if (Clock::now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat(binary, " wrote no port file within the start timeout"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

bool ServiceProcess::Reap(int* exit_code) {
  if (!exited_) {
    int status = 0;
    pid_t result = ::waitpid(pid_, &status, WNOHANG);
    if (result == pid_) {
      exited_ = true;
      exit_code_ = ExitCodeOf(status);
    } else if (result < 0) {
      exited_ = true;  // not our child any more: nothing left to wait for
      exit_code_ = -1;
    }
  }
  if (exited_) *exit_code = exit_code_;
  return exited_;
}

bool ServiceProcess::Running() {
  int exit_code = 0;
  return !Reap(&exit_code);
}

absl::StatusOr<int> ServiceProcess::WaitForExit(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  int exit_code = 0;
  while (!Reap(&exit_code)) {
    if (Clock::now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("process ", pid_, " still running after ", timeout.count(), " ms"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_code;
}

absl::StatusOr<int> ServiceProcess::Terminate(std::chrono::milliseconds timeout) {
  if (Running()) ::kill(pid_, SIGTERM);
  absl::StatusOr<int> exit_code = WaitForExit(timeout);
  if (!exit_code.ok()) {
    ::kill(pid_, SIGKILL);
    (void)WaitForExit(std::chrono::seconds(10));
  }
  return exit_code;
}

ServiceProcess::~ServiceProcess() {
  // SIGTERM first, so the service cleans up after itself (ingest removes its upload staging
  // folder); SIGKILL when it has not exited in time.
  if (Running()) {
    ::kill(pid_, SIGCONT);  // a stopped (SIGSTOP) process must run to act on SIGTERM
    (void)Terminate(std::chrono::seconds(10));
  }
  std::error_code ignored;
  std::filesystem::remove_all(temp_dir_, ignored);
}

}  // namespace churn::testing
