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
#include "churn_intent.h"
#include "gateway_api.h"
#include "http_api.h"
#include "refresh_orchestrator.h"
#include "risk_history_recorder.h"
#include "ticket_analyzer.h"

namespace churn::gateway {

struct GatewayOptions {
  // The neighbours.
  std::string ingest_address;
  std::string scoring_address;
  std::string enrichment_address;
  service::ClientSecurity neighbour_security;  // token and TLS towards the three neighbours
  std::chrono::milliseconds reconnect_backoff_max{2000};
  std::chrono::milliseconds stale_after{60000};  // 0: only a failed refresh makes views stale
  std::string outcomes_db;
  std::string history_db;
  // Each part's options, filled once from the settings (a setting several parts read, such as
  // ingest_deadline_ms, is copied to each of them there and nowhere else).
  RefreshOptions refresh;
  LinkedTicketIntentOptions churn_intent;
  TicketAnalyzerOptions analyzer;
  GatewayApiOptions api;
  HttpApiOptions http;
  RiskHistoryOptions history;
};

// http_max_analyses at most: 4 of the 16 HTTP threads always stay with the views and probes.
inline constexpr int kMaxHttpAnalyses = 12;

// InvalidArgument naming the setting when a value is out of range; FAILED_PRECONDITION when
// http_address is reachable from other machines without authentication (as for grpc_address).
absl::StatusOr<GatewayOptions> GatewayOptionsFromSettings(
    const settings::v1::GatewaySettings& settings, const service::ServiceProcessOptions& process);

}  // namespace churn::gateway
