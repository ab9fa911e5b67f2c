// The monitoring path end to end: a real Prometheus scrapes the /metrics of the four real
// services, and the test asks Prometheus (not the services) what it collected.

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "gtest/gtest.h"
#include "httplib.h"
#include "integration/process.h"
#include "integration/service_probe.h"
#include "nlohmann/json.hpp"
#include "testing/data_folder.h"

extern char** environ;

namespace churn {
namespace {

using churn::testing::ServiceProcess;
using namespace std::chrono_literals;

constexpr char kPrometheus[] = "/usr/bin/prometheus";

// A port the kernel just handed out; Prometheus has no port file, so it is told one.
int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

class PrometheusServer {
 public:
  PrometheusServer(const std::string& config, const std::string& storage, int port) {
    std::vector<std::string> args = {kPrometheus,
                                     "--config.file=" + config,
                                     "--storage.tsdb.path=" + storage,
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                     "--log.level=warn"};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, kPrometheus, nullptr, nullptr, argv.data(), environ) != 0) pid_ = -1;
  }
  ~PrometheusServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool started() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

// The value of a one-sample instant query, or nullopt while Prometheus has no answer yet.
std::optional<double> QueryScalar(int port, const std::string& query) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  auto response = client.Get("/api/v1/query", httplib::Params{{"query", query}}, {});
  if (!response || response->status != 200) return std::nullopt;
  const nlohmann::json body = nlohmann::json::parse(response->body, nullptr, false);
  if (body.is_discarded() || body["status"] != "success") return std::nullopt;
  const nlohmann::json& result = body["data"]["result"];
  if (!result.is_array() || result.size() != 1) return std::nullopt;
  return std::stod(result[0]["value"][1].get<std::string>());
}

std::optional<double> PollQuery(int port, const std::string& query,
                                const std::function<bool(double)>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  std::optional<double> value;
  while (std::chrono::steady_clock::now() < deadline) {
    value = QueryScalar(port, query);
    if (value && done(*value)) return value;
    std::this_thread::sleep_for(250ms);
  }
  return value;
}

TEST(Monitoring, PrometheusScrapesAllFourServices) {
  if (!std::filesystem::exists(kPrometheus)) {
    GTEST_SKIP() << kPrometheus << " is not installed (make deps-test installs Debian's prometheus)";
  }
  const std::string data = churn::testing::WriteDataFolder("monitoring");
  const std::vector<std::string> loopback = {"--grpc_address=127.0.0.1:0",
                                             "--metrics_address=127.0.0.1:0"};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.end(), loopback.begin(), loopback.end());
    return extra;
  };
  auto ingest = ServiceProcess::Start(CHURN_INGEST_BINARY, with({"--data_dir=" + data}));
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  auto scoring = ServiceProcess::Start(CHURN_SCORING_BINARY,
                                       with({"--rules_file=" + std::string(CHURN_SOURCE_DIR) +
                                             "/config/scoring.yaml"}));
  ASSERT_TRUE(scoring.ok()) << scoring.status();
  const std::string cache = ::testing::TempDir() + "/monitoring-cache-" +
                            std::to_string(getpid()) + ".sqlite";
  auto enrichment = ServiceProcess::Start(
      CHURN_ENRICHMENT_BINARY, with({"--use_model=false", "--cache_path=" + cache}));
  ASSERT_TRUE(enrichment.ok()) << enrichment.status();
  const std::string outcomes = ::testing::TempDir() + "/monitoring-outcomes-" +
                               std::to_string(getpid()) + ".sqlite";
  auto gateway = ServiceProcess::Start(
      CHURN_GATEWAY_BINARY,
      with({"--ingest_address=" + (*ingest)->grpc_target(),
            "--scoring_address=" + (*scoring)->grpc_target(),
            "--enrichment_address=" + (*enrichment)->grpc_target(),
            "--http_address=127.0.0.1:0", "--outcomes_db=" + outcomes,
            "--refresh_interval_ms=500"}));
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  // The gateway is SERVING once it has scored the snapshot through ScoreBatch.
  ASSERT_TRUE(churn::testing::WaitForServing((*gateway)->grpc_target(), 60s).ok());

  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) /
                                    ("prometheus-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::ofstream config(dir / "prometheus.yml");
    config << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n";
    const std::pair<const char*, const ServiceProcess*> jobs[] = {
        {"churn-ingest", ingest->get()}, {"churn-scoring", scoring->get()},
        {"churn-enrichment", enrichment->get()}, {"churn-gateway", gateway->get()}};
    for (const auto& [job, process] : jobs) {
      config << "  - job_name: " << job << "\n    static_configs: [{targets: ['127.0.0.1:"
             << process->metrics_port() << "']}]\n";
    }
  }
  const int port = FreeLoopbackPort();
  PrometheusServer prometheus((dir / "prometheus.yml").string(), (dir / "data").string(), port);
  ASSERT_TRUE(prometheus.started());

  // All four targets up, as Prometheus itself sees them.
  std::optional<double> up = PollQuery(port, "sum(up{job=~\"churn-.*\"})",
                                       [](double v) { return v >= 4; });
  ASSERT_TRUE(up.has_value()) << "Prometheus never answered on port " << port;
  EXPECT_EQ(*up, 4);

  // The gateway's refresh scored the customers through ScoringService.ScoreBatch.
  std::optional<double> score_batches = PollQuery(
      port,
      "sum(grpc_server_handled_total{job=\"churn-scoring\",grpc_service=\"churn.v1.ScoringService\","
      "grpc_method=\"ScoreBatch\",grpc_code=\"OK\"})",
      [](double v) { return v >= 1; });
  ASSERT_TRUE(score_batches.has_value());
  EXPECT_GE(*score_batches, 1);

  // Series pre-created at zero are visible before any such call (grpc-prometheus behaviour).
  std::optional<double> never_called = PollQuery(
      port,
      "sum(grpc_server_handled_total{job=\"churn-scoring\",grpc_method=\"DryRunRules\"})",
      [](double) { return true; });
  ASSERT_TRUE(never_called.has_value());
  EXPECT_EQ(*never_called, 0);

  // A domain metric from the ingest service made it through too.
  std::optional<double> usage_rows = PollQuery(
      port, "sum(churn_ingest_rows_total{table=\"feature_usage\"})",
      [](double v) { return v >= 3; });
  ASSERT_TRUE(usage_rows.has_value());
  EXPECT_EQ(*usage_rows, 3);
}

}  // namespace
}  // namespace churn
