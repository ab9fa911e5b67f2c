#include "monitoring/prometheus_server.h"

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "status/status_macros.h"

extern char** environ;

namespace churn::testing {
namespace {

using Clock = std::chrono::steady_clock;

// True once the child has exited (and is reaped).
bool Exited(pid_t pid) {
  int status = 0;
  const pid_t result = ::waitpid(pid, &status, WNOHANG);
  return result == pid || result < 0;
}

}  // namespace

std::optional<std::string> MissingPrometheus() {
  if (std::filesystem::exists(kPrometheusBinary)) return std::nullopt;
  return absl::StrCat(kPrometheusBinary,
                      " is not installed (scripts/install-deps.sh test installs Debian's "
                      "prometheus)");
}

int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

absl::StatusOr<std::unique_ptr<PrometheusServer>> PrometheusServer::Start(
    const std::string& config_file, const std::string& storage_dir,
    std::chrono::milliseconds timeout) {
  const int port = FreeLoopbackPort();
  if (port == 0) return absl::InternalError("no free loopback port");
  std::vector<std::string> args = {kPrometheusBinary,
                                   "--config.file=" + config_file,
                                   "--storage.tsdb.path=" + storage_dir,
                                   "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                   "--log.level=warn"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (const int rc = ::posix_spawn(&pid, kPrometheusBinary, nullptr, nullptr, argv.data(), environ);
      rc != 0) {
    return absl::InternalError(absl::StrCat("cannot start ", kPrometheusBinary, ": ",
                                            std::strerror(rc)));
  }
  std::unique_ptr<PrometheusServer> server(new PrometheusServer(pid, port));
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (Exited(pid)) {
      server->pid_ = -1;
      return absl::FailedPreconditionError(absl::StrCat(
          "prometheus exited before it was ready (bad config or rule file? see its log above)"));
    }
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(1);
    client.set_read_timeout(2);
    if (auto response = client.Get("/-/ready"); response && response->status == 200) {
      return server;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return absl::DeadlineExceededError(absl::StrCat("prometheus not ready on port ", port));
}

PrometheusServer::~PrometheusServer() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (!Exited(pid_)) {
    if (Clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

absl::StatusOr<nlohmann::json> PrometheusServer::GetData(const std::string& path,
                                                         const std::string& query) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  httplib::Params params;
  if (!query.empty()) params.emplace("query", query);
  auto response = client.Get(path.c_str(), params, httplib::Headers{});
  if (!response) return absl::UnavailableError(absl::StrCat("GET ", path, ": no answer"));
  nlohmann::json body = nlohmann::json::parse(response->body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return absl::InternalError(absl::StrCat("GET ", path, ": not JSON: ", response->body));
  }
  if (response->status != 200 || body.value("status", "") != "success") {
    return absl::InvalidArgumentError(absl::StrCat("GET ", path, " ", query, ": ",
                                                   body.value("error", response->body)));
  }
  return body["data"];
}

absl::StatusOr<nlohmann::json> PrometheusServer::Query(const std::string& promql) const {
  CHURN_ASSIGN_OR_RETURN(nlohmann::json data, GetData("/api/v1/query", promql));
  if (!data["result"].is_array()) {
    return absl::InternalError(absl::StrCat(promql, ": not a vector: ", data.dump()));
  }
  return data["result"];
}

absl::StatusOr<nlohmann::json> PrometheusServer::Alerts() const {
  CHURN_ASSIGN_OR_RETURN(nlohmann::json data, GetData("/api/v1/alerts", ""));
  return data["alerts"];
}

absl::StatusOr<nlohmann::json> PrometheusServer::RuleGroups() const {
  CHURN_ASSIGN_OR_RETURN(nlohmann::json data, GetData("/api/v1/rules", ""));
  return data["groups"];
}

}  // namespace churn::testing
