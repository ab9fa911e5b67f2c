#include "http_api.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include <google/protobuf/util/json_util.h>
#include <grpc/health/v1/health.pb.h>
#include <httplib.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "viewsets/at_risk_query.h"
#include "common/absl_compat.h"
#include "common/logging.h"
#include "common/public_error.h"
#include "at_risk_page_cache.h"
#include "http_request_parsing.h"
#include "nlohmann/json.hpp"
#include "waiting_room_server.h"
#include "status/status_macros.h"

namespace churn::gateway {
namespace {

using httplib::Request;
using httplib::Response;

constexpr char kJson[] = "application/json";
constexpr char kNdjson[] = "application/x-ndjson";
constexpr char kZip[] = "application/zip";
constexpr char kDataSetUploadPath[] = "/api/v1/data-sets/upload";

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted: return 409;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kCancelled: return 499;
    case absl::StatusCode::kUnimplemented: return 501;
    case absl::StatusCode::kUnavailable: return 503;
    case absl::StatusCode::kDeadlineExceeded: return 504;
    default: return 500;
  }
}

// Messages may quote what a client sent (a path's customer id): bytes that are not UTF-8 become
// U+FFFD rather than an exception, so the client still gets its 4xx.
std::string ErrorJson(const absl::Status& status) {
  return nlohmann::json{{"error", service::PublicErrorMessage(status)},
                        {"code", absl::StatusCodeToString(status.code())}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void SendError(Response& res, const absl::Status& status) {
  res.status = HttpStatusFor(status.code());
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    res.set_header("WWW-Authenticate", "Bearer");
  }
  res.set_content(ErrorJson(status), kJson);
}

// On every response, the dashboard's included: scripts and styles only from this origin, never
// framed, no MIME sniffing, no referrer to other sites.
void AddSecurityHeaders(Response& res) {
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                 "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                 "frame-ancestors 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cache-Control", "no-store");
}

bool ChangesState(const Request& req) {
  return req.method == "POST" || req.method == "PUT" || req.method == "PATCH" ||
         req.method == "DELETE";
}

// The media type without parameters, lower case: "application/json; charset=utf-8" ->
// "application/json".
std::string MediaType(const Request& req) {
  std::string type = req.get_header_value("Content-Type");
  type = type.substr(0, type.find(';'));
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(type));
}

// Browsers send cross-site forms without a preflight only as text/plain, urlencoded or
// multipart; requiring JSON (or CSV for the upload) keeps such posts out.
absl::Status CheckContentType(const Request& req) {
  if (!ChangesState(req) || !absl::StartsWith(req.path, "/api/")) return absl::OkStatus();
  const std::string type = MediaType(req);
  // A data set comes as JSON (its files in base64) or as one zip; neither is a form's type.
  if (req.path == kDataSetUploadPath) {
    if (type == kJson || type == kZip) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat("Content-Type: expected application/json or application/zip, got '",
                     req.get_header_value("Content-Type"), "'"));
  }
  const bool upload = req.path == "/api/v1/tickets/upload/analyze";
  if (upload ? (type == "text/csv" || type == "application/octet-stream") : type == kJson) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("Content-Type: expected ", upload ? "text/csv" : "application/json", ", got '",
                   req.get_header_value("Content-Type"), "'"));
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  // Our own messages always serialise; a failure would be a bug worth seeing in the body.
  google::protobuf::util::Status status =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) return ErrorJson(absl::InternalError(std::string(status.message())));
  return json;
}

void SendMessage(Response& res, const google::protobuf::Message& message) {
  res.status = 200;
  res.set_content(ToJson(message), kJson);
}

// The operation's status, or the message it filled.
void Send(Response& res, const absl::Status& status, const google::protobuf::Message& message) {
  if (!status.ok()) {
    SendError(res, status);
  } else {
    SendMessage(res, message);
  }
}

std::optional<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "host:port" -> (host, port); the host may be a bracketed IPv6 address.
absl::StatusOr<std::pair<std::string, int>> SplitAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("http_address: expected host:port, got '", address, "'"));
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::pair{host.empty() ? std::string("0.0.0.0") : host, port};
}

// The NDJSON progress of a batch: one AnalyzeTicketSetResponse per line, and an error object
// as the last line when the batch failed after the response had started.
// The admission is held until the stream ends (the provider is destroyed with the response).
void StreamBatch(Response& res, TicketAnalyzer* analyzer, v1::AnalyzeTicketSetRequest request,
                 std::shared_ptr<void> admission) {
  res.set_chunked_content_provider(
      kNdjson, [analyzer, request = std::move(request), admission = std::move(admission)](
                   size_t, httplib::DataSink& sink) {
        auto write_line = [&sink](const std::string& json) {
          const std::string line = json + "\n";
          return sink.write(line.data(), line.size());
        };
        absl::Status status = analyzer->AnalyzeSet(
            CallScope::Background(), request, [&](const v1::AnalyzeTicketSetResponse& message) {
              return write_line(ToJson(message));
            });
        if (!status.ok() && status.code() != absl::StatusCode::kCancelled) {
          write_line(ErrorJson(status));
        }
        sink.done();
        return true;
      });
}

}  // namespace

HttpApi::HttpApi(HttpApiOptions options, GatewayApi* api, RefreshOrchestrator* refresher,
                 TicketAnalyzer* analyzer, prometheus::Registry* registry)
    : options_(std::move(options)),
      api_(api),
      refresher_(refresher),
      analyzer_(analyzer),
      registry_(registry),
      admissions_(options_.max_concurrent_analyses) {
  if (!options_.tls_cert_file.empty()) {
    server_ = std::make_unique<httplib::SSLServer>(options_.tls_cert_file.c_str(),
                                                   options_.tls_key_file.c_str());
  } else {
    WaitingRoomOptions waiting;
    waiting.threads = kHttpThreads;
    auto server = std::make_unique<WaitingRoomServer>(waiting);
    waiting_room_server_ = server.get();
    server_ = std::move(server);
  }
}

HttpApi::~HttpApi() { Stop(); }

absl::Status HttpApi::Start() {
  CHURN_ASSIGN_OR_RETURN(auto address, SplitAddress(options_.address));
  if (!server_->is_valid()) {
    return absl::InvalidArgumentError(
        "tls_cert_file / tls_key_file: the HTTPS certificate or key cannot be used");
  }
  if (waiting_room_server_ == nullptr) {
    server_->new_task_queue = [] { return new httplib::ThreadPool(kHttpThreads); };
  } else if (absl::Status s = waiting_room_server_->StartWaitingRoom(); !s.ok()) {
    return s;
  }
  service::LogInfo("http_capacity", {{"threads", static_cast<int64_t>(kHttpThreads)},
                                     {"max_analyses", static_cast<int64_t>(admissions_.limit())}});
  // httplib sets SO_REUSEPORT, which would let a second gateway share the port silently; like
  // the gRPC ports, a taken HTTP port must fail the start instead.
  int listen_socket = -1;
  server_->set_socket_options([&listen_socket](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_socket = sock;
  });
  // httplib writes a response's head and body separately (plain HTTP joins them again in one
  // send, buffered_socket_stream.h; HTTPS and streamed chunks do not): with Nagle on, the second
  // write of an answer on a kept-alive connection would wait for the client's delayed ACK (40 ms
  // on Linux). Set on the listening socket, accepted connections inherit it.
  server_->set_tcp_nodelay(true);
  server_->set_payload_max_length(static_cast<size_t>(options_.max_body_bytes));
  server_->set_keep_alive_timeout(2);
  server_->set_read_timeout(std::chrono::seconds(30));
  server_->set_write_timeout(std::chrono::seconds(30));
  RegisterRoutes();

  const auto& [host, port] = address;
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
  } else if (server_->bind_to_port(host, port)) {
    port_ = port;
  }
  // httplib listens with a backlog of 5: a burst of connections (40 people pressing Analyze, a
  // load balancer's pool) would see refused or reset connections. Listening again on the bound
  // socket raises the backlog (Linux).
  if (port_ > 0 && listen_socket >= 0) ::listen(listen_socket, SOMAXCONN);
  if (port_ <= 0) {
    port_ = 0;
    return absl::UnavailableError(
        absl::StrCat("cannot serve HTTP on ", options_.address, " (address in use?)"));
  }
  listener_ = std::thread([this] { server_->listen_after_bind(); });
  service::LogInfo("http_started", {{"http_address", options_.address},
                                    {"http_port", port_},
                                    {"web_root", options_.web_root},
                                    {"https", !options_.tls_cert_file.empty()},
                                    {"authentication", options_.callers != nullptr}});
  return absl::OkStatus();
}

void HttpApi::Stop() {
  if (!listener_.joinable()) return;
  // Stopped first, so a streamed response being served sees the shutdown and ends; the room
  // then waits for the requests its threads serve.
  server_->stop();
  if (waiting_room_server_ != nullptr) waiting_room_server_->StopWaitingRoom();
  listener_.join();
}

std::function<void(const Request&, Response&)> HttpApi::Guarded(auth::Permission permission,
                                                                GuardedHandler handler) const {
  return [this, permission, handler = std::move(handler)](const Request& req, Response& res) {
    absl::StatusOr<auth::Caller> caller =
        auth::Authorize(options_.callers.get(), req.get_header_value("Authorization"), permission);
    if (!caller.ok()) {
      service::LogWarn("request_refused",
                       {{"method", req.method},
                        {"path", req.path},
                        {"code", absl::StatusCodeToString(caller.status().code())}});
      return SendError(res, caller.status());
    }
    handler(req, res, *caller);
  };
}

std::function<void(const Request&, Response&)> HttpApi::Admitted(auth::Permission permission,
                                                                 SlowHandler handler) {
  return Guarded(permission, [this, handler = std::move(handler)](const Request& req, Response& res,
                                                                  const auth::Caller& caller) {
    std::shared_ptr<void> admission = admissions_.TryAdmit();
    if (!admission) {
      service::LogWarn("http_busy", {{"path", req.path},
                                     {"in_use", static_cast<int64_t>(admissions_.in_use())}});
      res.set_header("Retry-After", "2");
      return SendError(res,
                       absl::ResourceExhaustedError(absl::StrCat(
                           "the gateway is running ", admissions_.limit(),
                           " ticket analyses, refreshes or backtests already; retry shortly")));
    }
    handler(req, res, caller, std::move(admission));
  });
}

void HttpApi::RegisterRoutes() {
  httplib::Server& server = *server_;
  using auth::Permission;

  server.set_pre_routing_handler([](const Request& req, Response& res) {
    if (absl::Status s = CheckContentType(req); !s.ok()) {
      SendError(res, s);
      res.status = 415;
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_post_routing_handler([](const Request&, Response& res) { AddSecurityHeaders(res); });

  server.Get("/healthz", [](const Request&, Response& res) {
    grpc::health::v1::HealthCheckResponse health;
    health.set_status(grpc::health::v1::HealthCheckResponse::SERVING);
    SendMessage(res, health);
  });
  server.Get("/readyz", [this](const Request&, Response& res) {
    absl::StatusOr<std::shared_ptr<const viewsets::ViewSet>> views = api_->CurrentViews();
    if (!views.ok()) return SendError(res, views.status());
    v1::DataFreshness freshness;
    api_->FillFreshness(views->get(), &freshness);
    SendMessage(res, freshness);
  });
  server.Get("/metrics", [this](const Request&, Response& res) {
    res.set_content(prometheus::TextSerializer().Serialize(registry_->Collect()),
                    "text/plain; version=0.0.4; charset=utf-8");
  });

  // Who the token belongs to: the dashboard asks for a token on 401 and hides what the role
  // may not do.
  server.Get(
      "/api/v1/session", Guarded(Permission::kReadViews, [this](const Request&, Response& res,
                                                                const auth::Caller& caller) {
        res.set_content(
            nlohmann::json{
                {"name", caller.name},
                {"role", std::string(auth::RoleName(caller.role))},
                {"auth_required", options_.callers != nullptr},
                {"can_record_outcomes", auth::RoleGrants(caller.role, Permission::kRecordOutcomes)},
                {"can_analyze_tickets", auth::RoleGrants(caller.role, Permission::kAnalyzeTickets)},
                {"can_refresh", auth::RoleGrants(caller.role, Permission::kRefresh)},
                {"can_reload_data", auth::RoleGrants(caller.role, Permission::kReloadData)},
                {"can_try_rules", auth::RoleGrants(caller.role, Permission::kTryRules)},
                {"can_apply_rules", auth::RoleGrants(caller.role, Permission::kManageRules)},
                {"can_manage_data_sets", auth::RoleGrants(caller.role, Permission::kLoadData)}}
                .dump(),
            kJson);
      }));
  server.Get(
      "/api/v1/executive",
      Guarded(Permission::kReadViews, [this](const Request&, Response& res, const auth::Caller&) {
        v1::GetExecutiveResponse response;
        Send(res, api_->GetExecutive(&response), response);
      }));
  server.Get("/api/v1/drivers",
             Guarded(Permission::kReadViews,
                     [this](const Request& req, Response& res, const auth::Caller&) {
                       v1::GetDriversRequest request;
                       request.set_segment(QueryParam(req.params, "segment"));
                       v1::GetDriversResponse response;
                       Send(res, api_->GetDrivers(request, &response), response);
                     }));
  server.Get("/api/v1/at-risk",
             Guarded(Permission::kReadViews, [this](const Request& req, Response& res,
                                                    const auth::Caller&) {
               absl::StatusOr<v1::ListAtRiskRequest> request = AtRiskRequestFromQuery(req.params);
               if (!request.ok()) return SendError(res, request.status());
               // Written from the rows (the same JSON as the printed ListAtRiskResponse), the
               // rows' part remembered for the pages asked again: the at-risk list is the
               // dashboard's busiest call.
               absl::StatusOr<AtRiskListing> listing = api_->ListAtRisk(*request);
               if (!listing.ok()) return SendError(res, listing.status());
               res.status = 200;
               res.body.clear();
               at_risk_pages_.AppendPageJson(*listing, &res.body);
               res.set_header("Content-Type", kJson);
             }));
  server.Get(R"(/api/v1/customers/([^/]+))",
             Guarded(Permission::kReadViews,
                     [this](const Request& req, Response& res, const auth::Caller&) {
                       v1::GetCustomerBriefRequest request;
                       request.set_customer_id(req.matches[1]);
                       v1::GetCustomerBriefResponse response;
                       Send(res, api_->GetCustomerBrief(request, &response), response);
                     }));
  server.Post(R"(/api/v1/customers/([^/]+)/outcomes)",
              Guarded(Permission::kRecordOutcomes,
                      [this](const Request& req, Response& res, const auth::Caller& caller) {
                        absl::StatusOr<v1::RecordOutcomeRequest> request =
                            RecordOutcomeRequestFromBody(req.body, req.matches[1]);
                        if (!request.ok()) return SendError(res, request.status());
                        v1::RecordOutcomeResponse response;
                        absl::Status status = api_->RecordOutcome(*request, caller.name, &response);
                        Send(res, status, response);
                        if (status.ok()) res.status = 201;
                        // A full disk is the server's storage running out, not the caller's
                        // rate: 507, not 429.
                        if (status.code() == absl::StatusCode::kResourceExhausted) {
                          res.status = 507;
                        }
                      }));
  server.Get(
      "/api/v1/outcomes", Guarded(Permission::kReadViews, [this](const Request& req, Response& res,
                                                                 const auth::Caller&) {
        absl::StatusOr<v1::ListOutcomesRequest> request = OutcomesRequestFromQuery(req.params);
        if (!request.ok()) return SendError(res, request.status());
        v1::ListOutcomesResponse response;
        Send(res, api_->ListOutcomes(*request, &response), response);
      }));

  auto export_csv = [this](const Request& req, Response& res, bool playbooks) {
    absl::StatusOr<v1::ListAtRiskRequest> request = AtRiskRequestFromQuery(req.params);
    if (!request.ok()) return SendError(res, request.status());
    absl::StatusOr<std::string> csv =
        playbooks ? api_->ExportPlaybooksCsv(*request) : api_->ExportAtRiskCsv(*request);
    if (!csv.ok()) return SendError(res, csv.status());
    res.set_header("Content-Disposition", playbooks ? "attachment; filename=\"playbooks.csv\""
                                                    : "attachment; filename=\"at-risk.csv\"");
    res.set_content(*std::move(csv), "text/csv; charset=utf-8");
  };
  server.Get("/api/v1/export/at-risk.csv",
             Guarded(Permission::kReadViews,
                     [export_csv](const Request& req, Response& res, const auth::Caller&) {
                       export_csv(req, res, false);
                     }));
  server.Get("/api/v1/export/playbooks.csv",
             Guarded(Permission::kReadViews,
                     [export_csv](const Request& req, Response& res, const auth::Caller&) {
                       export_csv(req, res, true);
                     }));

  server.Post(
      "/api/v1/tickets/analyze",
      Admitted(Permission::kAnalyzeTickets, [this](const Request& req, Response& res,
                                                   const auth::Caller&, std::shared_ptr<void>) {
        absl::StatusOr<v1::AnalyzeTicketTextRequest> request =
            AnalyzeTicketTextRequestFromBody(req.body);
        if (!request.ok()) return SendError(res, request.status());
        absl::StatusOr<v1::AnalyzeTicketTextResponse> response =
            analyzer_->Analyze(CallScope::Background(), *request);
        if (!response.ok()) return SendError(res, response.status());
        SendMessage(res, *response);
      }));
  server.Get(
      "/api/v1/tickets/sets",
      Guarded(Permission::kReadViews, [this](const Request&, Response& res, const auth::Caller&) {
        absl::StatusOr<v1::ListTicketTextSetsResponse> sets =
            analyzer_->ListSets(CallScope::Background());
        if (!sets.ok()) return SendError(res, sets.status());
        SendMessage(res, *sets);
      }));
  server.Post(R"(/api/v1/tickets/sets/([^/]+)/analyze)",
              Admitted(Permission::kAnalyzeTickets, [this](const Request& req, Response& res,
                                                           const auth::Caller&,
                                                           std::shared_ptr<void> admission) {
                absl::StatusOr<v1::AnalyzeTicketSetRequest> request =
                    TicketSetRequestFromBody(req.body, req.matches[1]);
                if (!request.ok()) return SendError(res, request.status());
                // Known before the stream starts, so a wrong name is a 404 rather than an error
                // line.
                absl::StatusOr<v1::ListTicketTextSetsResponse> sets =
                    analyzer_->ListSets(CallScope::Background());
                if (!sets.ok()) return SendError(res, sets.status());
                bool known = false;
                for (const v1::TicketTextSet& set : sets->sets())
                  known = known || set.name() == request->set_name();
                if (!known) {
                  return SendError(res, absl::NotFoundError(absl::StrCat(
                                            "ticket set '", request->set_name(), "' not found")));
                }
                StreamBatch(res, analyzer_, *std::move(request), std::move(admission));
              }));
  server.Post("/api/v1/tickets/upload/analyze",
              Admitted(Permission::kAnalyzeTickets,
                       [this](const Request& req, Response& res, const auth::Caller&,
                              std::shared_ptr<void> admission) {
                         absl::StatusOr<v1::AnalyzeTicketSetRequest> request =
                             UploadRequestFromQuery(req.params, req.body);
                         if (!request.ok()) return SendError(res, request.status());
                         StreamBatch(res, analyzer_, *std::move(request), std::move(admission));
                       }));
  server.Post(
      "/api/v1/refresh",
      Admitted(Permission::kRefresh, [this](const Request& req, Response& res,
                                            const auth::Caller& caller, std::shared_ptr<void>) {
        absl::StatusOr<v1::RefreshRequest> request = RefreshRequestFromBody(req.body);
        if (!request.ok()) return SendError(res, request.status());
        if (request->reload_data()) {
          if (absl::Status s = auth::CheckPermission(caller, Permission::kReloadData); !s.ok()) {
            return SendError(res, s);
          }
        }
        absl::StatusOr<RefreshReport> report = refresher_->RefreshNow(
            CallScope::WithDeadline(CallScope::Clock::now() + options_.refresh_timeout),
            request->reload_data());
        if (!report.ok()) return SendError(res, report.status());
        v1::RefreshResponse response;
        api_->FillFreshness(report->views.get(), response.mutable_freshness());
        *response.mutable_snapshot() = report->snapshot;
        response.set_changed(report->changed);
        SendMessage(res, response);
      }));

  RegisterModelQualityRoutes();
  // Data sets: listed for every reader, uploaded and selected by admins (relayed to ingest).
  server.Get(
      "/api/v1/data-sets",
      Guarded(Permission::kReadViews, [this](const Request&, Response& res, const auth::Caller&) {
        if (data_sets_ == nullptr) return SendError(res, absl::UnavailableError("no data sets"));
        absl::StatusOr<v1::ListDataSetsResponse> sets = data_sets_->List(CallScope::Background());
        if (!sets.ok()) return SendError(res, sets.status());
        SendMessage(res, *sets);
      }));
  server.Post(
      kDataSetUploadPath,
      Admitted(Permission::kLoadData, [this](const Request& req, Response& res,
                                             const auth::Caller& caller, std::shared_ptr<void>) {
        if (data_sets_ == nullptr) {
          return SendError(res, absl::UnavailableError("no data sets"));
        }
        absl::StatusOr<v1::UploadDataSetFilesRequest> request =
            DataSetUploadFromRequest(req.params, MediaType(req) == kZip, req.body);
        if (!request.ok()) return SendError(res, request.status());
        service::LogInfo("data_set_upload", {{"name", request->name()},
                                             {"by", caller.name},
                                             {"bytes", static_cast<int64_t>(req.body.size())}});
        absl::StatusOr<v1::UploadDataSetResponse> response =
            data_sets_->Upload(CallScope::Background(), *request);
        if (!response.ok()) return SendError(res, response.status());
        SendMessage(res, *response);
        res.status = 201;
      }));
  server.Post(
      "/api/v1/data-sets/select",
      Admitted(Permission::kLoadData, [this](const Request& req, Response& res,
                                             const auth::Caller& caller, std::shared_ptr<void>) {
        if (data_sets_ == nullptr) {
          return SendError(res, absl::UnavailableError("no data sets"));
        }
        absl::StatusOr<v1::SelectDataSetRequest> request = SelectDataSetRequestFromBody(req.body);
        if (!request.ok()) return SendError(res, request.status());
        service::LogInfo("data_set_select", {{"name", request->name()}, {"by", caller.name}});
        absl::StatusOr<v1::SelectDataSetResponse> response = data_sets_->Select(
            CallScope::WithDeadline(CallScope::Clock::now() + options_.refresh_timeout), *request);
        if (!response.ok()) return SendError(res, response.status());
        SendMessage(res, *response);
      }));

  // The dashboard.
  const std::filesystem::path web_root(options_.web_root);
  server.set_file_extension_and_mimetype_mapping("mjs", "text/javascript");
  server.set_file_extension_and_mimetype_mapping("map", kJson);
  if (!server.set_mount_point("/static", (web_root / "static").string())) {
    service::LogWarn("web_static_missing", {{"folder", (web_root / "static").string()}});
  }
  server.Get("/", [web_root](const Request&, Response& res) {
    std::optional<std::string> page = ReadFile(web_root / "index.html");
    if (!page) {
      return SendError(res, absl::NotFoundError(absl::StrCat("the dashboard is not installed (no ",
                                                             (web_root / "index.html").string(),
                                                             "); the JSON API is under /api/v1/")));
    }
    res.set_content(*std::move(page), "text/html; charset=utf-8");
  });

  // Unknown API paths answer in the API's error format; other 404s keep httplib's default.
  server.set_error_handler([](const Request& req, Response& res) {
    if (res.status == 404 && res.body.empty() && absl::StartsWith(req.path, "/api/")) {
      res.set_content(ErrorJson(absl::NotFoundError(
                          absl::StrCat("no such endpoint: ", req.method, " ", req.path))),
                      kJson);
    }
  });
  server.set_exception_handler([](const Request&, Response& res, std::exception_ptr) {
    SendError(res, absl::InternalError("unexpected error while serving the request"));
  });
}

// The analyst's loop (model_quality.h): slow (a backtest, a dry run over every customer, a
// rebuild), so admitted like the analyses; the HTTP request's deadline is the backtest's.
void HttpApi::RegisterModelQualityRoutes() {
  httplib::Server& server = *server_;
  using auth::Permission;
  auto scope = [this] {
    return CallScope::WithDeadline(CallScope::Clock::now() + options_.refresh_timeout);
  };
  auto unavailable = [](Response& res) {
    SendError(res, absl::UnimplementedError("this gateway serves no Model quality calls"));
  };
  server.Get("/api/v1/model-quality",
             Admitted(Permission::kReadViews, [this, scope, unavailable](
                                                  const Request& req, Response& res,
                                                  const auth::Caller&, std::shared_ptr<void>) {
               if (model_quality_ == nullptr) return unavailable(res);
               absl::StatusOr<v1::GetModelQualityRequest> request =
                   ModelQualityRequestFromQuery(req.params);
               if (!request.ok()) return SendError(res, request.status());
               v1::GetModelQualityResponse response;
               Send(res, model_quality_->GetModelQuality(scope(), *request, &response), response);
             }));
  server.Post("/api/v1/rules/what-if",
              Admitted(Permission::kTryRules, [this, scope, unavailable](
                                                  const Request& req, Response& res,
                                                  const auth::Caller&, std::shared_ptr<void>) {
                if (model_quality_ == nullptr) return unavailable(res);
                v1::WhatIfRulesRequest request;
                if (absl::Status s = ParseJsonBody(req.body, &request); !s.ok()) {
                  return SendError(res, s);
                }
                v1::WhatIfRulesResponse response;
                Send(res, model_quality_->WhatIfRules(scope(), request, &response), response);
              }));
  server.Post(
      "/api/v1/rules/apply",
      Admitted(Permission::kManageRules, [this, scope, unavailable](
                                             const Request& req, Response& res,
                                             const auth::Caller& caller, std::shared_ptr<void>) {
        if (model_quality_ == nullptr) return unavailable(res);
        v1::ApplyRulesRequest request;
        if (absl::Status s = ParseJsonBody(req.body, &request); !s.ok()) {
          return SendError(res, s);
        }
        v1::ApplyRulesResponse response;
        Send(res, model_quality_->ApplyRules(scope(), request, caller.name, &response), response);
      }));
}

}  // namespace churn::gateway
