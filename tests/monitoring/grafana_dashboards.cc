#include "monitoring/grafana_dashboards.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace churn::testing {
namespace {

std::string DatasourceUid(const nlohmann::json& object) {
  if (!object.contains("datasource") || !object["datasource"].is_object()) return "";
  return object["datasource"].value("uid", "");
}

absl::Status CollectPanels(const std::string& dashboard, const nlohmann::json& panels,
                           std::vector<PanelQuery>& out) {
  if (!panels.is_array()) return absl::OkStatus();
  for (const nlohmann::json& panel : panels) {
    const std::string title = panel.value("title", "(untitled)");
    // A row holds its panels itself when collapsed.
    if (panel.contains("panels")) {
      if (absl::Status nested = CollectPanels(dashboard, panel["panels"], out); !nested.ok()) {
        return nested;
      }
    }
    if (!panel.contains("targets")) continue;
    for (const nlohmann::json& target : panel["targets"]) {
      PanelQuery query;
      query.dashboard = dashboard;
      query.panel = title;
      query.ref_id = target.value("refId", "");
      query.expr = target.value("expr", "");
      query.panel_datasource_uid = DatasourceUid(panel);
      query.target_datasource_uid = DatasourceUid(target);
      if (query.expr.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(dashboard, ": panel '", title, "' has a target without expr"));
      }
      out.push_back(std::move(query));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<PanelQuery>> LoadPanelQueries(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) return absl::NotFoundError(absl::StrCat("no dashboards in ", dir));
  std::vector<PanelQuery> queries;
  for (const std::filesystem::path& file : files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    const nlohmann::json dashboard = nlohmann::json::parse(text.str(), nullptr, false);
    const std::string name = file.filename().string();
    if (dashboard.is_discarded() || !dashboard.is_object() || !dashboard.contains("panels")) {
      return absl::InvalidArgumentError(absl::StrCat(name, ": not a Grafana dashboard JSON"));
    }
    if (absl::Status status = CollectPanels(name, dashboard["panels"], queries); !status.ok()) {
      return status;
    }
  }
  return queries;
}

absl::StatusOr<std::string> ProvisionedPrometheusUid(const std::string& provisioning_file) {
  try {
    const YAML::Node file = YAML::LoadFile(provisioning_file);
    for (const YAML::Node& source : file["datasources"]) {
      if (source["type"].as<std::string>("") == "prometheus" && source["uid"]) {
        return source["uid"].as<std::string>();
      }
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(provisioning_file, ": ", e.what()));
  }
  return absl::NotFoundError(
      absl::StrCat(provisioning_file, ": no prometheus data source with a uid"));
}

}  // namespace churn::testing
