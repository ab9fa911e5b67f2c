#include "gateway_options.h"

#include "absl/strings/str_cat.h"

namespace churn::gateway {

using service::ConfigKey;
using service::ConfigType;

std::vector<ConfigKey> GatewayConfigKeys() {
  std::vector<ConfigKey> keys = service::CommonServiceKeys("127.0.0.1:50054", "127.0.0.1:9104");
  auto add = [&keys](std::string name, ConfigType type, std::string value, std::string text) {
    keys.push_back({std::move(name), type, std::move(value), std::move(text)});
  };
  add("http_address", ConfigType::kString, "127.0.0.1:8080",
      "JSON HTTP API, dashboard and /metrics, host:port (port 0 picks a free port)");
  add("ingest_address", ConfigType::kString, "127.0.0.1:50051", "churn-ingest gRPC address");
  add("scoring_address", ConfigType::kString, "127.0.0.1:50052", "churn-scoring gRPC address");
  add("enrichment_address", ConfigType::kString, "127.0.0.1:50053",
      "churn-enrichment gRPC address");
  add("client_token_file", ConfigType::kString, "",
      "file holding the gateway's own token (role service), sent to ingest, scoring and "
      "enrichment when they require authentication");
  add("tls_server_name", ConfigType::kString, "",
      "with tls_ca_file: the name the neighbours' certificates are checked against instead of "
      "the host of their address");
  add("refresh_interval_ms", ConfigType::kInt, "2000",
      "how often to ask ingest (snapshot version) and scoring (rules hash) for changes");
  add("ingest_deadline_ms", ConfigType::kInt, "2000",
      "deadline of GetSnapshotInfo and ListTicketTextSets calls");
  add("reload_deadline_ms", ConfigType::kInt, "60000", "deadline of LoadDataFolder calls");
  add("stream_signals_deadline_ms", ConfigType::kInt, "60000",
      "deadline of one whole StreamSignals call");
  add("score_deadline_ms", ConfigType::kInt, "10000",
      "deadline of each ScoreBatch (one batch) and GetRules call");
  add("score_batch_size", ConfigType::kInt, "2000",
      "customers per ScoreBatch call (at most the scoring service's max_batch)");
  add("analyze_ticket_deadline_ms", ConfigType::kInt, "65000",
      "deadline of one enrichment AnalyzeTicket call when the request names no timeout");
  add("analyze_set_deadline_ms", ConfigType::kInt, "3600000",
      "deadline of a whole ticket-set analysis (StreamTicketTexts + AnalyzeTickets)");
  add("churn_intent_deadline_ms", ConfigType::kInt, "30000",
      "deadline of the churn-intent pass over linked ticket sets on each rebuild (the "
      "enrichment cache makes later passes fast; tickets not analysed in time count as no intent)");
  add("churn_intent_ticket_timeout_ms", ConfigType::kInt, "10000",
      "model timeout per linked ticket in the churn-intent pass");
  add("reconnect_backoff_max_ms", ConfigType::kInt, "2000",
      "longest wait between reconnection attempts to a neighbour that went away");
  add("stale_after_ms", ConfigType::kInt, "60000",
      "views not confirmed current for this long are reported stale; 0 = only after a failure");
  add("outcomes_db", ConfigType::kString, "var/outcomes.sqlite",
      "SQLite file of the outcome log (created with its folder when missing)");
  add("web_root", ConfigType::kString, "web",
      "dashboard folder: / serves index.html, /static/* its static/ folder");
  add("default_page_size", ConfigType::kInt, "50", "at-risk rows per page when not asked");
  add("max_page_size", ConfigType::kInt, "1000", "most at-risk rows (or outcomes) per page");
  add("http_max_analyses", ConfigType::kInt, "4",
      "ticket analyses, batch runs and refreshes served at once on the HTTP port; more get 429 "
      "with Retry-After, so the other HTTP threads always serve the views and probes (1-12)");
  add("max_upload_bytes", ConfigType::kInt, "8388608",
      "largest uploaded ticket CSV accepted by AnalyzeTicketSet");
  add("strategic_arr", ConfigType::kDouble, "25000",
      "from this ARR on, outreach drafts offer a senior sponsor");
  return keys;
}

absl::StatusOr<GatewayOptions> GatewayOptionsFromConfig(const service::ServiceConfig& config) {
  GatewayOptions options;
  options.http_address = config.GetString("http_address");
  options.ingest_address = config.GetString("ingest_address");
  options.scoring_address = config.GetString("scoring_address");
  options.enrichment_address = config.GetString("enrichment_address");
  options.outcomes_db = config.GetString("outcomes_db");
  options.web_root = config.GetString("web_root");
  options.port_file = config.GetString("port_file");
  // The neighbours are verified with the same CA that verifies the gateway's own callers, and the
  // gateway's certificate is its client certificate for mTLS.
  absl::StatusOr<service::ClientSecurity> neighbours = service::ClientSecurity::FromFiles(
      config.GetString("client_token_file"), config.GetString("tls_ca_file"),
      config.GetString("tls_cert_file"), config.GetString("tls_key_file"),
      config.GetString("tls_server_name"));
  if (!neighbours.ok()) return neighbours.status();
  options.neighbour_security = *std::move(neighbours);
  options.strategic_arr = config.GetDouble("strategic_arr");

  struct Duration {
    const char* key;
    std::chrono::milliseconds* value;
    int64_t min;
  };
  for (const Duration& d : {Duration{"refresh_interval_ms", &options.refresh_interval, 10},
                            Duration{"ingest_deadline_ms", &options.ingest_deadline, 1},
                            Duration{"reload_deadline_ms", &options.reload_deadline, 1},
                            Duration{"stream_signals_deadline_ms", &options.stream_signals_deadline, 1},
                            Duration{"score_deadline_ms", &options.score_deadline, 1},
                            Duration{"analyze_ticket_deadline_ms", &options.analyze_ticket_deadline, 1},
                            Duration{"analyze_set_deadline_ms", &options.analyze_set_deadline, 1},
                            Duration{"churn_intent_deadline_ms", &options.churn_intent_deadline, 1},
                            Duration{"churn_intent_ticket_timeout_ms",
                                     &options.churn_intent_ticket_timeout, 1},
                            Duration{"reconnect_backoff_max_ms", &options.reconnect_backoff_max, 100},
                            Duration{"stale_after_ms", &options.stale_after, 0}}) {
    const int64_t value = config.GetInt(d.key);
    if (value < d.min) {
      return absl::InvalidArgumentError(
          absl::StrCat(d.key, ": must be >= ", d.min, ", got ", value));
    }
    *d.value = std::chrono::milliseconds(value);
  }
  options.score_batch_size = config.GetInt("score_batch_size");
  if (options.score_batch_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("score_batch_size: must be >= 1, got ", options.score_batch_size));
  }
  const int64_t default_page = config.GetInt("default_page_size");
  const int64_t max_page = config.GetInt("max_page_size");
  if (max_page < 1 || max_page > 1000000) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_page_size: must be within [1, 1000000], got ", max_page));
  }
  if (default_page < 1 || default_page > max_page) {
    return absl::InvalidArgumentError(absl::StrCat(
        "default_page_size: must be within [1, max_page_size], got ", default_page));
  }
  options.default_page_size = static_cast<int32_t>(default_page);
  options.max_page_size = static_cast<int32_t>(max_page);
  const int64_t max_analyses = config.GetInt("http_max_analyses");
  if (max_analyses < 1 || max_analyses > kMaxHttpAnalyses) {
    return absl::InvalidArgumentError(absl::StrCat("http_max_analyses: must be within [1, ",
                                                   kMaxHttpAnalyses, "], got ", max_analyses));
  }
  options.http_max_analyses = static_cast<int>(max_analyses);
  options.max_upload_bytes = config.GetInt("max_upload_bytes");
  if (options.max_upload_bytes < 1) {
    return absl::InvalidArgumentError("max_upload_bytes: must be >= 1");
  }
  if (config.GetInt("drain_timeout_ms") < 0) {
    return absl::InvalidArgumentError("drain_timeout_ms: must be >= 0");
  }
  for (const auto& [key, value] : {std::pair{"http_address", &options.http_address},
                                   std::pair{"ingest_address", &options.ingest_address},
                                   std::pair{"scoring_address", &options.scoring_address},
                                   std::pair{"enrichment_address", &options.enrichment_address},
                                   std::pair{"outcomes_db", &options.outcomes_db}}) {
    if (value->empty()) return absl::InvalidArgumentError(absl::StrCat(key, ": required"));
  }
  return options;
}

}  // namespace churn::gateway
