#include "gateway_options.h"

#include "absl/strings/str_cat.h"
#include "status/status_macros.h"

namespace churn::gateway {

absl::StatusOr<GatewayOptions> GatewayOptionsFromSettings(
    const settings::v1::GatewaySettings& settings, const service::ServiceProcessOptions& process) {
  GatewayOptions options;
  options.http_address = settings.http_address();
  options.ingest_address = settings.ingest_address();
  options.scoring_address = settings.scoring_address();
  options.enrichment_address = settings.enrichment_address();
  options.outcomes_db = settings.outcomes_db();
  options.web_root = settings.web_root();
  options.tls_cert_file = settings.process().tls_cert_file();
  options.tls_key_file = settings.process().tls_key_file();
  // The neighbours are verified with the same CA that verifies the gateway's own callers, and the
  // gateway's certificate is its client certificate for mTLS.
  CHURN_ASSIGN_OR_RETURN(
      options.neighbour_security,
      service::ClientSecurity::FromFiles(settings.client_token_file(),
                                         settings.process().tls_ca_file(), options.tls_cert_file,
                                         options.tls_key_file, settings.tls_server_name()));
  options.strategic_arr = settings.strategic_arr();

  struct Duration {
    const char* key;
    int64_t value;
    std::chrono::milliseconds* target;
    int64_t min;
  };
  for (const Duration& d :
       {Duration{"refresh_interval_ms", settings.refresh_interval_ms(), &options.refresh_interval,
                 10},
        Duration{"ingest_deadline_ms", settings.ingest_deadline_ms(), &options.ingest_deadline, 1},
        Duration{"reload_deadline_ms", settings.reload_deadline_ms(), &options.reload_deadline, 1},
        Duration{"stream_signals_deadline_ms", settings.stream_signals_deadline_ms(),
                 &options.stream_signals_deadline, 1},
        Duration{"score_deadline_ms", settings.score_deadline_ms(), &options.score_deadline, 1},
        Duration{"analyze_ticket_deadline_ms", settings.analyze_ticket_deadline_ms(),
                 &options.analyze_ticket_deadline, 1},
        Duration{"analyze_set_deadline_ms", settings.analyze_set_deadline_ms(),
                 &options.analyze_set_deadline, 1},
        Duration{"churn_intent_deadline_ms", settings.churn_intent_deadline_ms(),
                 &options.churn_intent_deadline, 1},
        Duration{"churn_intent_ticket_timeout_ms", settings.churn_intent_ticket_timeout_ms(),
                 &options.churn_intent_ticket_timeout, 1},
        Duration{"reconnect_backoff_max_ms", settings.reconnect_backoff_max_ms(),
                 &options.reconnect_backoff_max, 100},
        Duration{"stale_after_ms", settings.stale_after_ms(), &options.stale_after, 0}}) {
    if (d.value < d.min) {
      return absl::InvalidArgumentError(
          absl::StrCat(d.key, ": must be >= ", d.min, ", got ", d.value));
    }
    *d.target = std::chrono::milliseconds(d.value);
  }
  options.score_batch_size = settings.score_batch_size();
  if (options.score_batch_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("score_batch_size: must be >= 1, got ", options.score_batch_size));
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
  options.default_page_size = static_cast<int32_t>(default_page);
  options.max_page_size = static_cast<int32_t>(max_page);
  const int64_t max_analyses = settings.http_max_analyses();
  if (max_analyses < 1 || max_analyses > kMaxHttpAnalyses) {
    return absl::InvalidArgumentError(absl::StrCat("http_max_analyses: must be within [1, ",
                                                   kMaxHttpAnalyses, "], got ", max_analyses));
  }
  options.http_max_analyses = static_cast<int>(max_analyses);
  options.max_upload_bytes = settings.max_upload_bytes();
  if (options.max_upload_bytes < 1) {
    return absl::InvalidArgumentError("max_upload_bytes: must be >= 1");
  }
  for (const auto& [key, value] : {std::pair{"http_address", &options.http_address},
                                   std::pair{"ingest_address", &options.ingest_address},
                                   std::pair{"scoring_address", &options.scoring_address},
                                   std::pair{"enrichment_address", &options.enrichment_address},
                                   std::pair{"outcomes_db", &options.outcomes_db}}) {
    if (value->empty()) return absl::InvalidArgumentError(absl::StrCat(key, ": required"));
  }
  CHURN_RETURN_IF_ERROR(process.security.CheckListenAddress("http_address", options.http_address));
  return options;
}

}  // namespace churn::gateway
