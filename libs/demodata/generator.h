#pragma once
// Deterministic demo data: the five SaaS tables in the RavenStack schema, at any size.

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace churn::demodata {

struct GeneratorOptions {
  int64_t accounts = 500;
  uint64_t seed = 7;
  // Last day of generated activity (YYYY-MM-DD); usage and tickets end on or near it.
  std::string end_date = "2024-12-31";
  // Days of usage history before end_date.
  int history_days = 180;
};

struct GeneratedCounts {
  int64_t accounts = 0, subscriptions = 0, usage_rows = 0, churn_events = 0, tickets = 0;
  int64_t bytes = 0;
};

// Writes accounts.csv, subscriptions.csv, feature_usage.csv, churn_events.csv and
// support_tickets.csv into `out_dir` (created if missing). Same options -> same bytes.
absl::Status GenerateDemoData(const GeneratorOptions& options, const std::string& out_dir,
                              GeneratedCounts* counts = nullptr);

}  // namespace churn::demodata
