#include "monitoring/prometheus_test_config.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"

namespace churn::testing {

absl::StatusOr<std::string> RenderLoopbackConfig(
    const std::string& project_config, const std::map<std::string, int>& metrics_port_by_job) {
  YAML::Node config;
  try {
    config = YAML::LoadFile(project_config);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(project_config, ": ", e.what()));
  }
  // Seconds instead of the deployed 15s, so that rates exist and alerts go pending within a
  // test's time; the rules' own `for` durations are untouched.
  config["global"]["scrape_interval"] = "1s";
  config["global"]["evaluation_interval"] = "1s";

  const std::filesystem::path config_dir = std::filesystem::path(project_config).parent_path();
  YAML::Node rule_files = config["rule_files"];
  if (!rule_files.IsSequence() || rule_files.size() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(project_config, ": no rule_files"));
  }
  for (std::size_t i = 0; i < rule_files.size(); ++i) {
    // Relative to the config file, as Prometheus resolves them.
    rule_files[i] = std::filesystem::absolute(config_dir / rule_files[i].as<std::string>()).string();
  }

  std::set<std::string> scraped;
  YAML::Node jobs = config["scrape_configs"];
  if (!jobs.IsSequence()) {
    return absl::InvalidArgumentError(absl::StrCat(project_config, ": no scrape_configs"));
  }
  for (YAML::Node job : jobs) {
    const std::string name = job["job_name"].as<std::string>();
    auto port = metrics_port_by_job.find(name);
    if (port == metrics_port_by_job.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(project_config, ": job ", name, " is not one of the test's services"));
    }
    YAML::Node target;
    target["targets"].push_back(absl::StrCat("127.0.0.1:", port->second));
    YAML::Node static_configs;
    static_configs.push_back(target);
    job["static_configs"] = static_configs;
    scraped.insert(name);
  }
  for (const auto& [name, port] : metrics_port_by_job) {
    if (scraped.count(name) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(project_config, " does not scrape the service of job ", name));
    }
  }
  YAML::Emitter out;
  out << config;
  return std::string(out.c_str());
}

}  // namespace churn::testing
