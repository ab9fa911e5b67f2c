// The monitoring path end to end: a real Prometheus scrapes the /metrics of the four real
// services, and the test asks Prometheus (not the services) what it collected.

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "monitoring/prometheus_server.h"
#include "monitoring/service_set.h"
#include "nlohmann/json.hpp"
#include "testing/data_folder.h"
#include "testing/real_component.h"
#include "testing/scratch_dir.h"

namespace churn {
namespace {

using churn::testing::PrometheusServer;
using namespace std::chrono_literals;

// The value of a one-sample instant query, or nullopt while Prometheus has no answer yet.
std::optional<double> QueryScalar(const PrometheusServer& server, const std::string& query) {
  absl::StatusOr<nlohmann::json> result = server.Query(query);
  if (!result.ok() || result->size() != 1) return std::nullopt;
  return std::stod((*result)[0]["value"][1].get<std::string>());
}

std::optional<double> PollQuery(const PrometheusServer& server, const std::string& query,
                                const std::function<bool(double)>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  std::optional<double> value;
  while (std::chrono::steady_clock::now() < deadline) {
    value = QueryScalar(server, query);
    if (value && done(*value)) return value;
    std::this_thread::sleep_for(250ms);
  }
  return value;
}

TEST(Monitoring, PrometheusScrapesAllFourServices) {
  if (std::optional<std::string> missing = testing::MissingPrometheus()) {
    CHURN_SKIP_UNLESS_CI(*missing);
  }
  const churn::testing::ScratchDir scratch;
  const std::filesystem::path& dir = scratch.path();
  testing::ServiceSet services;
  testing::ServiceSetOptions options;
  options.data_dir = churn::testing::WriteDataFolder("monitoring");
  options.work_dir = dir.string();
  ASSERT_TRUE(services.Start(options).ok());

  {
    // A minimal config of its own: this test is about the raw series, not the project's rules.
    std::ofstream config(dir / "prometheus.yml");
    config << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n";
    for (const auto& [job, port] : services.MetricsPortsByJob()) {
      config << "  - job_name: " << job << "\n    static_configs: [{targets: ['127.0.0.1:" << port
             << "']}]\n";
    }
  }
  auto prometheus =
      PrometheusServer::Start((dir / "prometheus.yml").string(), (dir / "data").string());
  ASSERT_TRUE(prometheus.ok()) << prometheus.status();
  const PrometheusServer& server = **prometheus;

  // All four targets up, as Prometheus itself sees them.
  std::optional<double> up =
      PollQuery(server, "sum(up{job=~\"churn-.*\"})", [](double v) { return v >= 4; });
  ASSERT_TRUE(up.has_value()) << "Prometheus never answered on port " << server.port();
  EXPECT_EQ(*up, 4);

  // The gateway's refresh scored the customers through ScoringService.ScoreBatch.
  std::optional<double> score_batches = PollQuery(
      server,
      "sum(grpc_server_handled_total{job=\"churn-scoring\",grpc_service=\"churn.v1.ScoringService\","
      "grpc_method=\"ScoreBatch\",grpc_code=\"OK\"})",
      [](double v) { return v >= 1; });
  ASSERT_TRUE(score_batches.has_value());
  EXPECT_GE(*score_batches, 1);

  // Series pre-created at zero are visible before any such call (grpc-prometheus behaviour).
  std::optional<double> never_called = PollQuery(
      server,
      "sum(grpc_server_handled_total{job=\"churn-scoring\",grpc_method=\"DryRunRules\"})",
      [](double) { return true; });
  ASSERT_TRUE(never_called.has_value());
  EXPECT_EQ(*never_called, 0);

  // A domain metric from the ingest service made it through too.
  std::optional<double> usage_rows = PollQuery(
      server, "sum(churn_ingest_rows_total{table=\"feature_usage\"})",
      [](double v) { return v >= 3; });
  ASSERT_TRUE(usage_rows.has_value());
  EXPECT_EQ(*usage_rows, 3);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace churn
