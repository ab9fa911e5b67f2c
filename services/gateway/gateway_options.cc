#include "gateway_options.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "status/status_macros.h"

namespace churn::gateway {

absl::StatusOr<GatewayOptions> GatewayOptionsFromSettings(
    const settings::v1::GatewaySettings& settings, const service::ServiceProcessOptions& process) {
  GatewayOptions options;
  options.http.address = settings.http_address();
  options.ingest_address = settings.ingest_address();
  options.scoring_address = settings.scoring_address();
  options.enrichment_address = settings.enrichment_address();
  options.outcomes_db = settings.outcomes_db();
  options.history_db = settings.history_db();
  options.http.web_root = settings.web_root();
  options.http.tls_cert_file = settings.process().tls_cert_file();
  options.http.tls_key_file = settings.process().tls_key_file();
  options.http.callers = process.security.callers;
  // The neighbours are verified with the same CA that verifies the gateway's own callers, and the
  // gateway's certificate is its client certificate for mTLS.
  CHURN_ASSIGN_OR_RETURN(
      options.neighbour_security,
      service::ClientSecurity::FromFiles(
          settings.client_token_file(), settings.process().tls_ca_file(),
          options.http.tls_cert_file, options.http.tls_key_file, settings.tls_server_name()));
  options.api.strategic_arr = settings.strategic_arr();

  struct Duration {
    const char* key;
    int64_t value;
    std::chrono::milliseconds* target;
    int64_t min;
  };
  for (const Duration& d :
       {Duration{"refresh_interval_ms", settings.refresh_interval_ms(), &options.refresh.interval,
                 10},
        Duration{"ingest_deadline_ms", settings.ingest_deadline_ms(),
                 &options.refresh.ingest_deadline, 1},
        Duration{"reload_deadline_ms", settings.reload_deadline_ms(),
                 &options.refresh.reload_deadline, 1},
        Duration{"stream_signals_deadline_ms", settings.stream_signals_deadline_ms(),
                 &options.refresh.stream_signals_deadline, 1},
        Duration{"score_deadline_ms", settings.score_deadline_ms(), &options.refresh.score_deadline,
                 1},
        Duration{"analyze_ticket_deadline_ms", settings.analyze_ticket_deadline_ms(),
                 &options.analyzer.analyze_ticket_deadline, 1},
        Duration{"analyze_set_deadline_ms", settings.analyze_set_deadline_ms(),
                 &options.analyzer.analyze_set_deadline, 1},
        Duration{"churn_intent_deadline_ms", settings.churn_intent_deadline_ms(),
                 &options.churn_intent.pass_deadline, 1},
        Duration{"churn_intent_ticket_timeout_ms", settings.churn_intent_ticket_timeout_ms(),
                 &options.churn_intent.ticket_timeout, 1},
        Duration{"reconnect_backoff_max_ms", settings.reconnect_backoff_max_ms(),
                 &options.reconnect_backoff_max, 100},
        Duration{"stale_after_ms", settings.stale_after_ms(), &options.stale_after, 0},
        Duration{"history_backfill_pause_ms", settings.history_backfill_pause_ms(),
                 &options.history.backfill_pause, 0}}) {
    if (d.value < d.min) {
      return absl::InvalidArgumentError(
          absl::StrCat(d.key, ": must be >= ", d.min, ", got ", d.value));
    }
    *d.target = std::chrono::milliseconds(d.value);
  }
  options.refresh.watch_backoff_max = options.reconnect_backoff_max;
  options.churn_intent.list_deadline = options.refresh.ingest_deadline;
  options.history.stream_signals_deadline = options.refresh.stream_signals_deadline;
  options.history.score_deadline = options.refresh.score_deadline;
  options.history.score_batch_size = std::min<int64_t>(500, settings.score_batch_size());
  for (const auto& [key, value, target] :
       {std::tuple{"history_retention_days", settings.history_retention_days(),
                   &options.history.retention_days},
        std::tuple{"history_backfill_days", settings.history_backfill_days(),
                   &options.history.backfill_days}}) {
    if (value < 0 || value > 100000) {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ": must be within [0, 100000], got ", value));
    }
    *target = value;
  }
  options.analyzer.ingest_deadline = options.refresh.ingest_deadline;
  options.refresh.score_batch_size = settings.score_batch_size();
  options.refresh.score_batches_in_flight = settings.score_batches_in_flight();
  if (options.refresh.score_batches_in_flight < 1) {
    return absl::InvalidArgumentError(absl::StrCat("score_batches_in_flight: must be >= 1, got ",
                                                   options.refresh.score_batches_in_flight));
  }
  if (options.refresh.score_batch_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("score_batch_size: must be >= 1, got ", options.refresh.score_batch_size));
  }
  const int64_t default_page = settings.default_page_size();
  const int64_t max_page = settings.max_page_size();
  if (max_page < 1 || max_page > 1000000) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_page_size: must be within [1, 1000000], got ", max_page));
  }
  if (default_page < 1 || default_page > max_page) {
    return absl::InvalidArgumentError(
        absl::StrCat("default_page_size: must be within [1, max_page_size], got ", default_page));
  }
  options.api.default_page_size = static_cast<int32_t>(default_page);
  options.api.max_page_size = static_cast<int32_t>(max_page);
  const int64_t max_analyses = settings.http_max_analyses();
  if (max_analyses < 1 || max_analyses > kMaxHttpAnalyses) {
    return absl::InvalidArgumentError(absl::StrCat("http_max_analyses: must be within [1, ",
                                                   kMaxHttpAnalyses, "], got ", max_analyses));
  }
  options.http.max_concurrent_analyses = static_cast<int>(max_analyses);
  options.analyzer.max_upload_bytes = settings.max_upload_bytes();
  options.http.max_body_bytes = settings.max_upload_bytes();
  if (settings.max_upload_bytes() < 1) {
    return absl::InvalidArgumentError("max_upload_bytes: must be >= 1");
  }
  for (const auto& [key, value] : {std::pair{"http_address", &options.http.address},
                                   std::pair{"ingest_address", &options.ingest_address},
                                   std::pair{"scoring_address", &options.scoring_address},
                                   std::pair{"enrichment_address", &options.enrichment_address},
                                   std::pair{"outcomes_db", &options.outcomes_db},
                                   std::pair{"history_db", &options.history_db}}) {
    if (value->empty()) return absl::InvalidArgumentError(absl::StrCat(key, ": required"));
  }
  CHURN_RETURN_IF_ERROR(process.security.CheckListenAddress("http_address", options.http.address));
  return options;
}

}  // namespace churn::gateway
