#pragma once
// The validated options the rest of the gateway binary reads, from its settings
// (churn/settings/v1/gateway_settings.proto: config/gateway-service.yaml, CHURN_GATEWAY_<KEY>,
// flags).

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/neighbour_channel.h"
#include "churn/settings/v1/gateway_settings.pb.h"
#include "common/service_process.h"

namespace churn::gateway {

struct GatewayOptions {
  std::string http_address;
  std::string ingest_address;
  std::string scoring_address;
  std::string enrichment_address;
  service::ClientSecurity neighbour_security;  // token and TLS towards the three neighbours

  std::chrono::milliseconds refresh_interval{2000};
  // Deadlines of outgoing calls (capped by the incoming deadline while serving an RPC).
  std::chrono::milliseconds ingest_deadline{2000};          // GetSnapshotInfo, ListTicketTextSets
  std::chrono::milliseconds reload_deadline{60000};         // LoadDataFolder
  std::chrono::milliseconds stream_signals_deadline{60000};  // StreamSignals, whole stream
  std::chrono::milliseconds score_deadline{10000};          // ScoreBatch and GetRules, per call
  std::chrono::milliseconds analyze_ticket_deadline{65000};  // enrichment AnalyzeTicket
  std::chrono::milliseconds analyze_set_deadline{3600000};   // a whole ticket set
  // Linked tickets analysed for churn intent on each rebuild: the whole pass, and each ticket.
  std::chrono::milliseconds churn_intent_deadline{30000};
  std::chrono::milliseconds churn_intent_ticket_timeout{10000};
  std::chrono::milliseconds reconnect_backoff_max{2000};
  int64_t score_batch_size = 2000;
  std::chrono::milliseconds stale_after{60000};  // 0: only a failed refresh makes views stale

  std::string outcomes_db;
  std::string web_root;
  int32_t default_page_size = 50;
  int32_t max_page_size = 1000;
  int64_t max_upload_bytes = int64_t{8} << 20;  // ticket CSV uploads
  int http_max_analyses = 4;  // slow HTTP requests at once (the rest of the HTTP threads: views)
  double strategic_arr = 25000;
  // The gateway's own TLS certificate, served on the HTTP port too.
  std::string tls_cert_file;
  std::string tls_key_file;
};

// http_max_analyses at most: 4 of the 16 HTTP threads always stay with the views and probes.
inline constexpr int kMaxHttpAnalyses = 12;

// InvalidArgument naming the setting when a value is out of range; FAILED_PRECONDITION when
// http_address is reachable from other machines without authentication (as for grpc_address).
absl::StatusOr<GatewayOptions> GatewayOptionsFromSettings(
    const settings::v1::GatewaySettings& settings, const service::ServiceProcessOptions& process);

}  // namespace churn::gateway
