#pragma once
// Deterministic demo data: the five SaaS tables in the RavenStack schema, at any size.

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace churn::demodata {

struct GeneratorOptions {
  int64_t accounts = 500;
  uint64_t seed = 7;
  // Last day of generated activity (YYYY-MM-DD): the latest usage_date and the latest ticket
  // submitted_at are this day, so the 30-day signal windows end here.
  std::string end_date = "2024-12-31";
  // Days of usage and ticket history up to end_date (1..3650).
  int history_days = 180;
  // Share of accounts in each behaviour group; the rest are healthy (steady or growing usage).
  // Each share is in [0, 1] and together they are at most 1.
  double trial_share = 0.10;     // currently trialing; about a third fail to activate
  double churned_share = 0.20;   // churn event, usage decaying over the 30-60 days before it
  double drifting_share = 0.18;  // still paying, usage decaying over the last 30-60 days
};

struct GeneratedCounts {
  int64_t accounts = 0, subscriptions = 0, usage_rows = 0, churn_events = 0, tickets = 0;
  int64_t bytes = 0;
};

// Writes accounts.csv, subscriptions.csv, feature_usage.csv, churn_events.csv and
// support_tickets.csv into `out_dir` (created if missing), and the text of the same tickets,
// linked by account_id, as tickets/ticket_texts.csv. Same options -> same bytes.
absl::Status GenerateDemoData(const GeneratorOptions& options, const std::string& out_dir,
                              GeneratedCounts* counts = nullptr);

}  // namespace churn::demodata
