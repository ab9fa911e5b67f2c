// The operators' view end to end: the four real services (their model a fake Ollama) scraped by
// a real Prometheus that runs the project's own prometheus.yml (targets rewritten to loopback)
// with the project's recording and alert rules. Every query of every provisioned Grafana
// dashboard must return data through Prometheus' HTTP API, and a service killed with SIGKILL
// must bring its ChurnServiceDown alert to pending or firing.

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "monitoring/grafana_dashboards.h"
#include "monitoring/prometheus_server.h"
#include "monitoring/prometheus_test_config.h"
#include "monitoring/service_set.h"
#include "nlohmann/json.hpp"
#include "testing/data_folder.h"
#include "testing/real_component.h"
#include "testing/scratch_dir.h"

namespace churn {
namespace {

using churn::testing::PanelQuery;
using churn::testing::PrometheusServer;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

const std::string kDeploy = std::string(CHURN_SOURCE_DIR) + "/deploy";

// True when the result vector holds at least one sample with a finite value: a series that
// exists but is NaN (a quantile of nothing) draws nothing in Grafana, so it is no data.
bool HasFiniteSample(const nlohmann::json& result) {
  for (const nlohmann::json& series : result) {
    const std::string value = series["value"][1].get<std::string>();
    if (std::isfinite(std::strtod(value.c_str(), nullptr))) return true;
  }
  return false;
}

// Polls `condition` every 250 ms until it holds or `timeout` passes.
bool Eventually(std::chrono::milliseconds timeout, const std::function<bool()>& condition) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(250ms);
  }
}

TEST(GrafanaDashboards, EveryPanelQueriesTheProvisionedPrometheus) {
  absl::StatusOr<std::string> uid =
      testing::ProvisionedPrometheusUid(kDeploy + "/grafana/provisioning/datasources/prometheus.yml");
  ASSERT_TRUE(uid.ok()) << uid.status();
  absl::StatusOr<std::vector<PanelQuery>> queries =
      testing::LoadPanelQueries(kDeploy + "/grafana/dashboards");
  ASSERT_TRUE(queries.ok()) << queries.status();
  ASSERT_FALSE(queries->empty());
  std::set<std::string> dashboards;
  for (const PanelQuery& query : *queries) {
    dashboards.insert(query.dashboard);
    const std::string where = absl::StrCat(query.dashboard, " / ", query.panel, " / ", query.ref_id);
    EXPECT_EQ(query.panel_datasource_uid, *uid) << where;
    if (!query.target_datasource_uid.empty()) {
      EXPECT_EQ(query.target_datasource_uid, *uid) << where;
    }
    // The monitoring test sends each expression to Prometheus as written: a dashboard variable
    // ($job, $__rate_interval) would need Grafana to expand it first.
    EXPECT_EQ(query.expr.find('$'), std::string::npos) << where << ": " << query.expr;
  }
  // The three dashboards the operators are told about.
  EXPECT_EQ(dashboards, (std::set<std::string>{"business.json", "llm-enrichment.json",
                                               "services.json"}));
}

TEST(MonitoringRules, EveryDashboardPanelHasDataAndAKilledServiceAlerts) {
  if (std::optional<std::string> missing = testing::MissingPrometheus()) {
    CHURN_SKIP_UNLESS_CI(*missing);
  }
  absl::StatusOr<std::vector<PanelQuery>> queries =
      testing::LoadPanelQueries(kDeploy + "/grafana/dashboards");
  ASSERT_TRUE(queries.ok()) << queries.status();

  const churn::testing::ScratchDir scratch;
  const std::filesystem::path& dir = scratch.path();
  testing::ServiceSet services;
  testing::ServiceSetOptions options;
  options.data_dir = churn::testing::WriteDataFolder("monitoring-rules");
  options.work_dir = dir.string();
  options.fake_ollama_binary = FAKE_OLLAMA_BINARY;
  ASSERT_TRUE(services.Start(options).ok());

  absl::StatusOr<std::string> config = testing::RenderLoopbackConfig(
      kDeploy + "/prometheus/prometheus.yml", services.MetricsPortsByJob());
  ASSERT_TRUE(config.ok()) << config.status();
  std::ofstream(dir / "prometheus.yml") << *config;
  auto prometheus =
      PrometheusServer::Start((dir / "prometheus.yml").string(), (dir / "tsdb").string());
  ASSERT_TRUE(prometheus.ok()) << prometheus.status() << "\nconfig:\n" << *config;
  const PrometheusServer& server = **prometheus;

  // All four targets scraped at least once, before any traffic: the rates below then see the
  // traffic as an increase (histogram quantiles of counters that never moved are NaN).
  ASSERT_TRUE(Eventually(20s, [&] {
    absl::StatusOr<nlohmann::json> up = server.Query("sum(up{job=~\"churn-.*\"})");
    return up.ok() && HasFiniteSample(*up) &&
           std::stod((*up)[0]["value"][1].get<std::string>()) == 4;
  })) << "Prometheus did not scrape the four services";

  // Every recording and alerting rule of the project's files evaluates without error.
  nlohmann::json groups;
  ASSERT_TRUE(Eventually(15s, [&] {
    absl::StatusOr<nlohmann::json> rules = server.RuleGroups();
    if (!rules.ok() || rules->empty()) return false;
    groups = *rules;
    for (const nlohmann::json& group : groups) {
      for (const nlohmann::json& rule : group["rules"]) {
        if (rule.value("health", "") == "unknown") return false;
      }
    }
    return true;
  })) << "the rules were never evaluated: " << groups.dump();
  int rule_count = 0;
  for (const nlohmann::json& group : groups) {
    for (const nlohmann::json& rule : group["rules"]) {
      ++rule_count;
      EXPECT_EQ(rule.value("health", ""), "ok")
          << rule.value("name", "") << ": " << rule.value("lastError", "");
    }
  }
  EXPECT_GT(rule_count, 20) << "prometheus.yml should load recording_rules.yml and alerts.yml";

  // No service is down yet: the alert must not be there before the kill.
  absl::StatusOr<nlohmann::json> alerts = server.Alerts();
  ASSERT_TRUE(alerts.ok()) << alerts.status();
  for (const nlohmann::json& alert : *alerts) {
    EXPECT_NE(alert["labels"].value("alertname", ""), "ChurnServiceDown") << alert.dump();
  }

  // Traffic for the LLM panels: one ticket through the model, the same one again from the cache.
  httplib::Client http("127.0.0.1", services.gateway_http_port());
  http.set_read_timeout(20);
  const std::string ticket =
      nlohmann::json{{"subject", "Renewal quote"},
                     {"body", "The renewal quote is beyond our budget, we may cancel."}}
          .dump();
  for (int i = 0; i < 2; ++i) {
    httplib::Result analysed = http.Post("/api/v1/tickets/analyze", ticket, "application/json");
    ASSERT_TRUE(analysed) << "gateway HTTP did not answer";
    ASSERT_EQ(analysed->status, 200) << analysed->body;
    EXPECT_EQ(nlohmann::json::parse(analysed->body)["analysis"].value("source", ""), "model")
        << analysed->body;
  }

  // Every panel query returns at least one finite sample through the project's recording rules.
  std::map<std::string, std::string> without_data;  // "dashboard / panel / ref: expr" -> answer
  const bool all_have_data = Eventually(30s, [&] {
    without_data.clear();
    for (const PanelQuery& query : *queries) {
      absl::StatusOr<nlohmann::json> result = server.Query(query.expr);
      if (!result.ok() || !HasFiniteSample(*result)) {
        without_data[absl::StrCat(query.dashboard, " / ", query.panel, " / ", query.ref_id, ": ",
                                  query.expr)] =
            result.ok() ? result->dump() : result.status().ToString();
      }
    }
    return without_data.empty();
  });
  for (const auto& [where, answer] : without_data) {
    ADD_FAILURE() << "no data for " << where << "\n  Prometheus answered: " << answer;
  }
  ASSERT_TRUE(all_have_data);

  // SIGKILL the scoring service: ChurnServiceDown for churn-scoring goes pending (its `for` is
  // the deployed 2m, so firing would take longer than this test runs; pending proves the
  // expression and the labels), and for no other job.
  ASSERT_EQ(::kill(services.scoring().pid(), SIGKILL), 0);
  ASSERT_TRUE(services.scoring().WaitForExit(5s).ok());
  nlohmann::json down_alerts;
  const bool alerted = Eventually(20s, [&] {
    absl::StatusOr<nlohmann::json> now = server.Alerts();
    if (!now.ok()) return false;
    down_alerts = nlohmann::json::array();
    for (const nlohmann::json& alert : *now) {
      if (alert["labels"].value("alertname", "") == "ChurnServiceDown") down_alerts.push_back(alert);
    }
    return !down_alerts.empty();
  });
  ASSERT_TRUE(alerted) << "ChurnServiceDown never became pending or firing";
  ASSERT_EQ(down_alerts.size(), 1u) << down_alerts.dump();
  const nlohmann::json& alert = down_alerts[0];
  EXPECT_EQ(alert["labels"].value("job", ""), "churn-scoring");
  EXPECT_EQ(alert["labels"].value("severity", ""), "critical");
  EXPECT_TRUE(alert.value("state", "") == "pending" || alert.value("state", "") == "firing")
      << alert.dump();
  EXPECT_NE(alert["annotations"].value("summary", "").find("churn-scoring"), std::string::npos)
      << alert.dump();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace churn
