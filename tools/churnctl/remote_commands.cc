#include "remote_commands.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "churn/v1/gateway.grpc.pb.h"
#include "common/grpc_code_name.h"
#include "common/neighbour_channel.h"
#include "common/proto_convert.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "reports/report_format.h"

namespace churnctl {
namespace {

using churn::v1::GatewayService;

int Fail(const std::string& message, int code = 1) {
  std::cerr << "churnctl: " << message << "\n";
  return code;
}

int FailRpc(const std::string& what, const grpc::Status& status) {
  return Fail(absl::StrCat(what, ": ", churn::service::GrpcCodeName(status.error_code()), ": ",
                           status.error_message()));
}

std::optional<std::string> Option(const RemoteArguments& args, const std::string& name) {
  auto it = args.options.find(name);
  if (it == args.options.end()) return std::nullopt;
  return it->second;
}

std::chrono::milliseconds Timeout(const RemoteArguments& args) {
  int64_t ms = 10000;
  if (auto text = Option(args, "timeout-ms")) (void)absl::SimpleAtoi(*text, &ms);
  return std::chrono::milliseconds(ms);
}

void SetDeadline(grpc::ClientContext* context, std::chrono::milliseconds timeout) {
  context->set_deadline(std::chrono::system_clock::now() + timeout);
}

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

// The channel with the caller's token (--token-file, else CHURN_TOKEN) and TLS options.
absl::StatusOr<std::shared_ptr<grpc::Channel>> Channel(const RemoteArguments& args,
                                                       const std::string& address) {
  absl::StatusOr<churn::service::ClientSecurity> security =
      churn::service::ClientSecurity::FromFiles(
          Option(args, "token-file").value_or(""), Option(args, "tls-ca-file").value_or(""),
          Option(args, "tls-cert-file").value_or(""), Option(args, "tls-key-file").value_or(""),
          Option(args, "tls-server-name").value_or(""));
  if (!security.ok()) return security.status();
  if (security->bearer_token.empty()) {
    if (const char* token = std::getenv("CHURN_TOKEN"); token != nullptr) {
      security->bearer_token = token;
    }
  }
  return churn::service::NeighbourChannel(address, *security);
}

absl::StatusOr<std::unique_ptr<GatewayService::Stub>> GatewayStub(const RemoteArguments& args) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      Channel(args, Option(args, "gateway").value_or("127.0.0.1:50054"));
  if (!channel.ok()) return channel.status();
  return GatewayService::NewStub(*channel);
}

// Exit 0 when the service (or one named --service) reports SERVING.
int RunHealth(const RemoteArguments& args) {
  const std::optional<std::string> address = Option(args, "address");
  if (!address) return Fail("health needs --address HOST:PORT", 2);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = Channel(args, *address);
  if (!channel.ok()) return Fail(std::string(channel.status().message()), 2);
  auto stub = grpc::health::v1::Health::NewStub(*channel);
  grpc::ClientContext context;
  SetDeadline(&context, Timeout(args));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(Option(args, "service").value_or(""));
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) return FailRpc(absl::StrCat("health check of ", *address), status);
  const bool serving = response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
  std::cout << *address << " " << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
                                      response.status())
            << "\n";
  return serving ? 0 : 1;
}

absl::StatusOr<churn::reports::ScoredCustomer> FromProto(const churn::v1::ScoredCustomer& proto) {
  absl::StatusOr<churn::CustomerSignals> signals =
      churn::service::SignalsFromProto(proto.signals(), "signals");
  if (!signals.ok()) return signals.status();
  absl::StatusOr<churn::scoring::Assessment> assessment =
      churn::service::AssessmentFromProto(proto.assessment(), "assessment");
  if (!assessment.ok()) return assessment.status();
  return churn::reports::ScoredCustomer{*std::move(signals), *std::move(assessment)};
}

int RunAtRisk(const RemoteArguments& args) {
  churn::v1::ListAtRiskRequest request;
  if (auto tiers = Option(args, "plan-tier")) {
    for (absl::string_view tier : absl::StrSplit(*tiers, ',', absl::SkipEmpty())) {
      request.add_plan_tiers(std::string(tier));
    }
  }
  if (auto levels = Option(args, "risk-level")) {
    for (absl::string_view level : absl::StrSplit(*levels, ',', absl::SkipEmpty())) {
      churn::v1::RiskLevel value;
      if (!churn::v1::RiskLevel_Parse(absl::StrCat("RISK_LEVEL_", absl::AsciiStrToUpper(level)),
                                      &value)) {
        return Fail(absl::StrCat("--risk-level: expected High, Medium or Low, got '",
                                 std::string(level), "'"), 2);
      }
      request.add_risk_levels(value);
    }
  }
  if (auto min_arr = Option(args, "min-arr")) {
    double value = 0;
    if (!absl::SimpleAtod(*min_arr, &value)) return Fail("--min-arr: expected a number", 2);
    request.set_min_arr(value);
  }
  if (auto churned = Option(args, "only-churned")) request.set_only_churned(*churned == "true");
  if (auto limit = Option(args, "limit")) {
    int32_t value = 0;
    if (!absl::SimpleAtoi(*limit, &value) || value < 0) return Fail("--limit: expected N >= 0", 2);
    request.set_page_size(value);
  }
  // From a previous page's "next page" hint; refused by the gateway after a refresh or with
  // other filters.
  if (auto token = Option(args, "page-token")) request.set_page_token(*token);
  absl::StatusOr<churn::reports::OutputFormat> format =
      churn::reports::ParseOutputFormat(Option(args, "format").value_or("table"));
  if (!format.ok()) return Fail(std::string(format.status().message()), 2);

  grpc::ClientContext context;
  SetDeadline(&context, Timeout(args));
  churn::v1::ListAtRiskResponse response;
  absl::StatusOr<std::unique_ptr<GatewayService::Stub>> stub = GatewayStub(args);
  if (!stub.ok()) return Fail(std::string(stub.status().message()), 2);
  const grpc::Status status = (*stub)->ListAtRisk(&context, request, &response);
  if (!status.ok()) return FailRpc("ListAtRisk", status);
  if (response.freshness().stale()) {
    std::cerr << "warning: the gateway's views are stale by " << response.freshness().stale_seconds()
              << " s: " << response.freshness().last_error() << "\n";
  }
  if (*format == churn::reports::OutputFormat::kJson) {
    std::cout << ToJson(response) << "\n";
    return 0;
  }
  std::vector<churn::reports::ScoredCustomer> customers;
  for (const churn::v1::ScoredCustomer& proto : response.customers()) {
    absl::StatusOr<churn::reports::ScoredCustomer> customer = FromProto(proto);
    if (!customer.ok()) return Fail(std::string(customer.status().message()));
    customers.push_back(*std::move(customer));
  }
  churn::reports::WriteAtRiskList(customers, 0, *format, std::cout);
  if (!response.next_page_token().empty()) {
    std::cerr << "more rows: the same command with --page-token " << response.next_page_token()
              << "\n";
  }
  return 0;
}

int RunCustomer(const RemoteArguments& args) {
  if (args.positional.size() != 1) return Fail("customer takes exactly one CUSTOMER_ID", 2);
  churn::v1::GetCustomerBriefRequest request;
  request.set_customer_id(args.positional[0]);
  grpc::ClientContext context;
  SetDeadline(&context, Timeout(args));
  churn::v1::GetCustomerBriefResponse response;
  absl::StatusOr<std::unique_ptr<GatewayService::Stub>> stub = GatewayStub(args);
  if (!stub.ok()) return Fail(std::string(stub.status().message()), 2);
  const grpc::Status status = (*stub)->GetCustomerBrief(&context, request, &response);
  if (!status.ok()) return FailRpc("GetCustomerBrief", status);
  if (Option(args, "format").value_or("table") == "json") {
    std::cout << ToJson(response) << "\n";
    return 0;
  }
  absl::StatusOr<churn::reports::ScoredCustomer> customer = FromProto(response.customer());
  if (!customer.ok()) return Fail(std::string(customer.status().message()));
  churn::reports::WriteCustomerBrief(*customer, churn::reports::OutputFormat::kTable, std::cout);
  if (response.checklist_size() > 0) std::cout << "\nNext best actions\n";
  for (int i = 0; i < response.checklist_size(); ++i) {
    std::cout << "  " << (i + 1) << ". " << response.checklist(i).title() << "\n";
  }
  return 0;
}

int RunAnalyzeTicket(const RemoteArguments& args) {
  churn::v1::AnalyzeTicketTextRequest request;
  request.set_subject(Option(args, "subject").value_or(""));
  request.set_body(Option(args, "body").value_or(""));
  request.set_text(Option(args, "text").value_or(""));
  if (request.subject().empty() && request.body().empty() && request.text().empty()) {
    return Fail("analyze-ticket needs --text TEXT or --subject/--body", 2);
  }
  if (auto timeout = Option(args, "ticket-timeout-ms")) {
    int32_t value = 0;
    if (!absl::SimpleAtoi(*timeout, &value)) return Fail("--ticket-timeout-ms: expected N", 2);
    request.set_timeout_ms(value);
  }
  grpc::ClientContext context;
  SetDeadline(&context, Timeout(args) + std::chrono::milliseconds(request.timeout_ms()));
  churn::v1::AnalyzeTicketTextResponse response;
  absl::StatusOr<std::unique_ptr<GatewayService::Stub>> stub = GatewayStub(args);
  if (!stub.ok()) return Fail(std::string(stub.status().message()), 2);
  const grpc::Status status = (*stub)->AnalyzeTicketText(&context, request, &response);
  if (!status.ok()) return FailRpc("AnalyzeTicketText", status);
  std::cout << ToJson(response.analysis()) << "\n";
  return 0;
}

}  // namespace

const std::map<std::string, std::vector<std::string>>& RemoteCommandOptions() {
  static const std::map<std::string, std::vector<std::string>> options = {
      {"health", {"address", "service", "timeout-ms"}},
      {"at-risk", {"gateway", "plan-tier", "risk-level", "min-arr", "only-churned", "limit",
                   "page-token", "format", "timeout-ms"}},
      {"customer", {"gateway", "format", "timeout-ms"}},
      {"analyze-ticket", {"gateway", "text", "subject", "body", "ticket-timeout-ms", "timeout-ms"}},
  };
  static const std::map<std::string, std::vector<std::string>> with_security = [] {
    std::map<std::string, std::vector<std::string>> all = options;
    for (auto& [command, names] : all) {
      names.insert(names.end(), {"token-file", "tls-ca-file", "tls-cert-file", "tls-key-file",
                                 "tls-server-name"});
    }
    return all;
  }();
  return with_security;
}

int RunRemoteCommand(const RemoteArguments& args) {
  if (args.command == "health") return RunHealth(args);
  if (args.command == "at-risk") return RunAtRisk(args);
  if (args.command == "customer") return RunCustomer(args);
  return RunAnalyzeTicket(args);
}

}  // namespace churnctl
