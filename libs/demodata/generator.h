#pragma once
// Deterministic demo data: the five SaaS tables in the RavenStack schema, at any size.
//
// Three modes (GeneratorOptions::mode):
//  - default: the demo data set the product ships with (pinned byte for byte by tests).
//  - planted: churn follows known signals, so a backtest has something to find. Ground truth,
//    for every churned account (churned_share of accounts, trials excepted):
//      * its churn date is spread evenly from 90 days after the first day of history to
//        end_date, so backtests at any past date see churn ahead of them;
//      * usage starts falling 45-75 days before the churn date and reaches 0-10% of its normal
//        level 20 days before it (a fast early fall): the usage_drop signal (30 days against
//        the prior 30) shows from about 40 days before churn and is severe (>= 60%) from about
//        20-30 days before;
//      * the error rate per use rises over the same fall (error_volume);
//      * 4 + Poisson(2) troubled tickets (satisfaction 1-3 or blank, slower answers, often
//        escalated) fall between 50 and 5 days before churn (support_load, satisfaction,
//        escalation);
//      * together these put about two thirds of churners at High (>= 60 points with the
//        default rules) before they leave, typically 20-30 days before (a backtest with 5-day
//        steps on 10,000 accounts: median 26 days, quartiles 20 and 31).
//    Drifting accounts (drifting_share) show the same kind of usage fall without churning:
//    the false positives a real team would see. Healthy accounts stay steady or grow.
//  - null: the planted accounts, usage and tickets unchanged, but which accounts churn and
//    when is drawn again at random (seeded, each account independently with probability
//    churned_share, a date spread over the history): the signals carry no information about
//    the labels, so a backtest must find none.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace churn::demodata {

enum class GeneratorMode { kDefault, kPlanted, kNull };

struct GeneratorOptions {
  GeneratorMode mode = GeneratorMode::kDefault;
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
// "default", "planted", "null".
absl::StatusOr<GeneratorMode> ParseGeneratorMode(std::string_view name);

absl::Status GenerateDemoData(const GeneratorOptions& options, const std::string& out_dir,
                              GeneratedCounts* counts = nullptr);

}  // namespace churn::demodata
