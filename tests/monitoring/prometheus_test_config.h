#pragma once
// The project's own deploy/prometheus/prometheus.yml, made runnable on loopback: every scrape
// job's targets are replaced by the port the test's service of that job listens on, scrape and
// evaluation run every second, and the rule files are the project's files by absolute path
// (unchanged, so what the test evaluates is exactly what operators deploy).

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace churn::testing {

// Reads `project_config` (deploy/prometheus/prometheus.yml) and returns the YAML text of the
// test copy. Fails when a job of the file has no port in `metrics_port_by_job` or a job of the
// map is not scraped by the file: the test must scrape exactly what compose scrapes.
absl::StatusOr<std::string> RenderLoopbackConfig(const std::string& project_config,
                                                 const std::map<std::string, int>& metrics_port_by_job);

}  // namespace churn::testing
