#include "remote_commands.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "churn/v1/gateway.grpc.pb.h"
#include "common/grpc_code_name.h"
#include "common/neighbour_channel.h"
#include "convert/scored_customer_convert.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "reports/report_format.h"
#include "status/status_macros.h"

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

using churn::settings::v1::ClientFlags;
using churn::settings::v1::GatewayClientFlags;

std::chrono::milliseconds Timeout(const ClientFlags& flags) {
  return std::chrono::milliseconds(flags.timeout_ms());
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
absl::StatusOr<std::shared_ptr<grpc::Channel>> Channel(const ClientFlags& flags,
                                                       const std::string& address) {
  CHURN_ASSIGN_OR_RETURN(churn::service::ClientSecurity security,
                         churn::service::ClientSecurity::FromFiles(
                             flags.token_file(), flags.tls_ca_file(), flags.tls_cert_file(),
                             flags.tls_key_file(), flags.tls_server_name()));
  if (security.bearer_token.empty()) security.bearer_token = flags.token();
  return churn::service::NeighbourChannel(address, security);
}

absl::StatusOr<std::unique_ptr<GatewayService::Stub>> GatewayStub(const GatewayClientFlags& flags) {
  CHURN_ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel,
                         Channel(flags.client(), flags.gateway()));
  return GatewayService::NewStub(channel);
}

}  // namespace

// Exit 0 when the service (or one named --service) reports SERVING.
int RunHealth(const churn::settings::v1::HealthFlags& flags) {
  if (!flags.has_address()) return Fail("health needs --address HOST:PORT", 2);
  const std::string& address = flags.address();
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = Channel(flags.client(), address);
  if (!channel.ok()) return Fail(std::string(channel.status().message()), 2);
  auto stub = grpc::health::v1::Health::NewStub(*channel);
  grpc::ClientContext context;
  SetDeadline(&context, Timeout(flags.client()));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(flags.service());
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) return FailRpc(absl::StrCat("health check of ", address), status);
  const bool serving = response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
  std::cout << address << " "
            << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status()) << "\n";
  return serving ? 0 : 1;
}

int RunAtRisk(const churn::settings::v1::AtRiskFlags& flags) {
  churn::v1::ListAtRiskRequest request;
  for (absl::string_view tier : absl::StrSplit(flags.plan_tier(), ',', absl::SkipEmpty())) {
    request.add_plan_tiers(std::string(tier));
  }
  for (absl::string_view level : absl::StrSplit(flags.risk_level(), ',', absl::SkipEmpty())) {
    churn::v1::RiskLevel value;
    if (!churn::v1::RiskLevel_Parse(absl::StrCat("RISK_LEVEL_", absl::AsciiStrToUpper(level)),
                                    &value)) {
      return Fail(absl::StrCat("--risk-level: expected High, Medium or Low, got '",
                               std::string(level), "'"),
                  2);
    }
    request.add_risk_levels(value);
  }
  if (flags.has_min_arr()) request.set_min_arr(flags.min_arr());
  request.set_only_churned(flags.only_churned());
  if (flags.has_limit()) {
    if (flags.limit() < 0) return Fail("--limit: expected N >= 0", 2);
    request.set_page_size(flags.limit());
  }
  // From a previous page's "next page" hint; refused by the gateway after a refresh or with
  // other filters.
  request.set_page_token(flags.page_token());
  absl::StatusOr<churn::reports::OutputFormat> format =
      churn::reports::ParseOutputFormat(flags.has_format() ? flags.format() : "table");
  if (!format.ok()) return Fail(std::string(format.status().message()), 2);

  grpc::ClientContext context;
  SetDeadline(&context, Timeout(flags.connection().client()));
  churn::v1::ListAtRiskResponse response;
  absl::StatusOr<std::unique_ptr<GatewayService::Stub>> stub = GatewayStub(flags.connection());
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
    absl::StatusOr<churn::reports::ScoredCustomer> customer = churn::convert::FromProto(proto);
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

int RunCustomer(const churn::settings::v1::CustomerFlags& flags,
                const std::vector<std::string>& positional) {
  if (positional.size() != 1) return Fail("customer takes exactly one CUSTOMER_ID", 2);
  churn::v1::GetCustomerBriefRequest request;
  request.set_customer_id(positional[0]);
  grpc::ClientContext context;
  SetDeadline(&context, Timeout(flags.connection().client()));
  churn::v1::GetCustomerBriefResponse response;
  absl::StatusOr<std::unique_ptr<GatewayService::Stub>> stub = GatewayStub(flags.connection());
  if (!stub.ok()) return Fail(std::string(stub.status().message()), 2);
  const grpc::Status status = (*stub)->GetCustomerBrief(&context, request, &response);
  if (!status.ok()) return FailRpc("GetCustomerBrief", status);
  if (flags.format() == "json") {
    std::cout << ToJson(response) << "\n";
    return 0;
  }
  absl::StatusOr<churn::reports::ScoredCustomer> customer =
      churn::convert::FromProto(response.customer());
  if (!customer.ok()) return Fail(std::string(customer.status().message()));
  churn::reports::WriteCustomerBrief(*customer, churn::reports::OutputFormat::kTable, std::cout);
  if (response.checklist_size() > 0) std::cout << "\nNext best actions\n";
  for (int i = 0; i < response.checklist_size(); ++i) {
    std::cout << "  " << (i + 1) << ". " << response.checklist(i).title() << "\n";
  }
  return 0;
}

int RunAnalyzeTicket(const churn::settings::v1::AnalyzeTicketFlags& flags) {
  churn::v1::AnalyzeTicketTextRequest request;
  request.set_subject(flags.subject());
  request.set_body(flags.body());
  request.set_text(flags.text());
  if (request.subject().empty() && request.body().empty() && request.text().empty()) {
    return Fail("analyze-ticket needs --text TEXT or --subject/--body", 2);
  }
  request.set_timeout_ms(flags.ticket_timeout_ms());
  grpc::ClientContext context;
  SetDeadline(&context, Timeout(flags.connection().client()) +
                            std::chrono::milliseconds(request.timeout_ms()));
  churn::v1::AnalyzeTicketTextResponse response;
  absl::StatusOr<std::unique_ptr<GatewayService::Stub>> stub = GatewayStub(flags.connection());
  if (!stub.ok()) return Fail(std::string(stub.status().message()), 2);
  const grpc::Status status = (*stub)->AnalyzeTicketText(&context, request, &response);
  if (!status.ok()) return FailRpc("AnalyzeTicketText", status);
  std::cout << ToJson(response.analysis()) << "\n";
  return 0;
}

}  // namespace churnctl
