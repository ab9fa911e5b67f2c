#pragma once
// What the provisioned Grafana dashboards (deploy/grafana/dashboards/*.json) ask Prometheus:
// every query of every panel, including panels nested in collapsed rows, with the data source it
// names, and the uid of the provisioned Prometheus data source they must name.

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace churn::testing {

struct PanelQuery {
  std::string dashboard;       // file name, e.g. "services.json"
  std::string panel;           // panel title
  std::string ref_id;          // "A", "B", ...
  std::string expr;            // the PromQL expression
  std::string panel_datasource_uid;
  std::string target_datasource_uid;  // empty when the target inherits the panel's
};

// Every panel query of every *.json in `dir`, in file then panel order. Fails on a file that
// is not a JSON dashboard object, and on a panel with targets but no expression.
absl::StatusOr<std::vector<PanelQuery>> LoadPanelQueries(const std::string& dir);

// The uid of the Prometheus data source in a Grafana provisioning file
// (deploy/grafana/provisioning/datasources/prometheus.yml).
absl::StatusOr<std::string> ProvisionedPrometheusUid(const std::string& provisioning_file);

}  // namespace churn::testing
