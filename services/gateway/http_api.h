#pragma once
// The gateway's HTTP side, on one port (cpp-httplib): the JSON API for the dashboard and
// scripts, the CSV exports, the NDJSON progress stream of a ticket-set batch, /healthz,
// /readyz, /metrics (the service's one Prometheus registry) and the dashboard's static files.
// Bodies are the gateway.proto response messages in protobuf's JSON mapping (field names as in
// the .proto, every field printed; the at-risk page, the busiest, is written straight from the
// rows as the same JSON: at_risk_page_json.h); errors are {"error": "...", "code": "INVALID_ARGUMENT"} with
// the matching HTTP status.
//
// With callers configured, every /api/ route needs `Authorization: Bearer <token>` and the
// permission libs/auth gives its RPC (401 / 403); the dashboard files, /healthz, /readyz and
// /metrics stay open for browsers, probes and Prometheus. Requests that change state must say
// `Content-Type: application/json` (text/csv for the ticket upload, application/zip for a data
// set zip), so a cross-site form cannot post (415). Every response carries the security headers
// (CSP, nosniff, frame-ancestors 'none', Referrer-Policy).
//
//   GET  /api/v1/executive
//   GET  /api/v1/drivers?segment=plan_tier|industry|country
//   GET  /api/v1/at-risk?plan_tier=a,b&risk_level=high,medium&min_arr=&churned=true
//                       &sort=[-]field&limit=&offset=&page_token=   ("-arr": ARR descending;
//                       a page token from other views or filters -> 400, start from page 1)
//   GET  /api/v1/customers/{id}                 brief: checklist, drafts, outcomes
//   POST /api/v1/customers/{id}/outcomes        {"kind": "OUTCOME_KIND_CONTACTED", "notes": ""}
//   GET  /api/v1/outcomes?customer_id=&page_size=&page_token=
//   GET  /api/v1/export/at-risk.csv, /api/v1/export/playbooks.csv   (at-risk filters)
//   POST /api/v1/tickets/analyze                {"subject", "body", "text", "ticket_id",
//                                                "timeout_ms"}  (nothing else)
//   GET  /api/v1/tickets/sets
//   POST /api/v1/tickets/sets/{name}/analyze    {"limit", "timeout_ms"} -> NDJSON progress
//   POST /api/v1/tickets/upload/analyze?file_name=&limit=&timeout_ms=  (CSV body) -> NDJSON
//   POST /api/v1/refresh                        {"reload_data": true}   (reload: admin)
//   GET  /api/v1/session                        who the token belongs to, for the dashboard
//   GET  /api/v1/model-quality?from=&to=&step_days=&horizon_days=   backtest of the rules in force
//   POST /api/v1/rules/what-if                  {"candidate_yaml", "window", "max_customers"}
//                                               (csm or admin: nothing is applied)
//   POST /api/v1/rules/apply                    {"yaml"}  (admin: in force, views rebuilt)
//   GET  /api/v1/data-sets                      the configured data folder and uploaded sets
//   POST /api/v1/data-sets/upload               admin: JSON {"name", "files": [{"file_name",
//                                               "content" (base64)}]}, or a zip body
//                                               (application/zip, ?name=&file_name=)
//   POST /api/v1/data-sets/select               admin: {"name"} ("" = configured folder)
//   GET  /healthz, /readyz, /metrics, /, /static/*

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "admission_limit.h"
#include "at_risk_page_cache.h"
#include "auth/bearer_token.h"
#include "data_set_relay.h"
#include "gateway_api.h"
#include "model_quality.h"
#include "refresh_orchestrator.h"
#include "ticket_analyzer.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace churn::gateway {

class WaitingRoomServer;

// Threads serving the HTTP port's requests: a long batch stream, the analyses and the views.
// Plain-HTTP connections wait for a complete request head in one epoll set these threads wait on
// (idle keep-alive connections and slow senders cost a socket, not a thread; the thread their
// head wakes serves the request); HTTPS ones hold a thread while open.
inline constexpr int kHttpThreads = 16;

struct HttpApiOptions {
  std::string address = "127.0.0.1:8080";  // port 0 picks a free one
  std::string web_root = "web";
  int64_t max_body_bytes = int64_t{8} << 20;
  // How long a Refresh from HTTP may take (HTTP has no deadline of its own to propagate).
  std::chrono::milliseconds refresh_timeout{120000};
  // Null: no authentication (the listen address is then loopback, or the operator allowed it).
  std::shared_ptr<const auth::CallerRegistry> callers;
  // Ticket analyses, batch streams and refreshes running at once; more get 429 with Retry-After,
  // so at least kHttpThreads - max_concurrent_analyses threads always serve views and probes.
  int max_concurrent_analyses = 4;
  // Both set: HTTPS.
  std::string tls_cert_file;
  std::string tls_key_file;
};

class HttpApi {
 public:
  HttpApi(HttpApiOptions options, GatewayApi* api, RefreshOrchestrator* refresher,
          TicketAnalyzer* analyzer, prometheus::Registry* registry);
  ~HttpApi();  // Stop()
  HttpApi(const HttpApi&) = delete;
  HttpApi& operator=(const HttpApi&) = delete;

  // The data set routes answer 503 until this is set (before Start()).
  void set_data_sets(DataSetRelay* data_sets) { data_sets_ = data_sets; }

  // Binds the address and serves on a background thread.
  absl::Status Start();
  int port() const { return port_; }
  // The Model quality routes answer 501 while not set; set before Start().
  void set_model_quality(ModelQuality* model_quality) { model_quality_ = model_quality; }
  // Stops accepting and waits for the requests in progress. Idempotent.
  void Stop();

 private:
  void RegisterRoutes();
  void RegisterModelQualityRoutes();
  using GuardedHandler =
      std::function<void(const httplib::Request&, httplib::Response&, const auth::Caller&)>;
  // The handler, run only for callers whose role grants `permission`.
  std::function<void(const httplib::Request&, httplib::Response&)> Guarded(
      auth::Permission permission, GuardedHandler handler) const;
  using SlowHandler = std::function<void(const httplib::Request&, httplib::Response&,
                                         const auth::Caller&, std::shared_ptr<void> admission)>;
  // Guarded, and admitted only while fewer than max_concurrent_analyses slow requests run.
  std::function<void(const httplib::Request&, httplib::Response&)> Admitted(
      auth::Permission permission, SlowHandler handler);

  const HttpApiOptions options_;
  GatewayApi* api_;
  RefreshOrchestrator* refresher_;
  TicketAnalyzer* analyzer_;
  ModelQuality* model_quality_ = nullptr;
  DataSetRelay* data_sets_ = nullptr;
  prometheus::Registry* registry_;
  AdmissionLimit admissions_;
  AtRiskPageCache at_risk_pages_;
  std::unique_ptr<httplib::Server> server_;
  // The server_ when it serves plain HTTP (idle and slow connections wait off the worker threads).
  WaitingRoomServer* waiting_room_server_ = nullptr;
  std::thread listener_;
  int port_ = 0;
};

}  // namespace churn::gateway
