// Who may call what, tried from the outside against the four real services on loopback.
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>
#include <httplib.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "auth/caller_registry.h"
#include "auth/permission.h"
#include "churn/v1/enrichment.grpc.pb.h"
#include "churn/v1/gateway.grpc.pb.h"
#include "churn/v1/ingest.grpc.pb.h"
#include "churn/v1/scoring.grpc.pb.h"
#include "digest/sha256.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "integration/port_reservation.h"
#include "integration/process.h"
#include "integration/run_command.h"
#include "integration/service_probe.h"
#include "nlohmann/json.hpp"
#include "testing/data_folder.h"
#include "testing/scratch_dir.h"

namespace churn {
namespace {

using ::testing::HasSubstr;
using testing::PortReservation;
using testing::RunCommand;
using testing::ServiceProcess;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct TestCaller {
  std::string name;
  auth::Role role;
  std::string token;
};

const std::vector<TestCaller>& Callers() {
  static const std::vector<TestCaller> callers = {
      {"vera", auth::Role::kViewer, "token-of-vera-the-viewer"},
      {"carla", auth::Role::kCsm, "token-of-carla-the-csm"},
      {"ada", auth::Role::kAdmin, "token-of-ada-the-admin"},
      {"gateway", auth::Role::kService, "token-of-the-gateway-service"},
  };
  return callers;
}

const TestCaller& CallerWithRole(auth::Role role) {
  for (const TestCaller& caller : Callers()) {
    if (caller.role == role) return caller;
  }
  return Callers().front();
}

fs::path RunDir() { return churn::testing::ProgramScratch() / "run"; }

std::string Loopback(int port) { return absl::StrCat("127.0.0.1:", port); }

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// One call of `method` with an empty request, whatever its streaming shape (one message written,
// then every answer read): the token check runs on the request headers, before any message.
grpc::Status CallWithEmptyRequest(const std::shared_ptr<grpc::Channel>& channel,
                                  const std::string& method, const std::string& token) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 10s);
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
  grpc::CompletionQueue queue;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(&context, method, &queue);
  void* tag = nullptr;
  bool ok = false;
  int next_tag = 0;
  auto step = [&] {
    queue.Next(&tag, &ok);
    return ok;
  };
  call->StartCall(&next_tag);
  if (step()) {
    grpc::Slice empty("", 0);
    grpc::ByteBuffer request(&empty, 1);
    call->Write(request, &next_tag);
    if (step()) {
      call->WritesDone(&next_tag);
      step();
    }
    grpc::ByteBuffer response;
    do {
      call->Read(&response, &next_tag);
    } while (step());
  }
  grpc::Status status;
  call->Finish(&status, &next_tag);
  step();
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  return status;
}

// The service as its .proto file declares it; naming one of the file's messages links it in.
const google::protobuf::ServiceDescriptor* Service(const google::protobuf::Descriptor* message,
                                                   const std::string& name) {
  return message->file()->FindServiceByName(name);
}

bool IsAuthRefusal(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAUTHENTICATED || code == grpc::StatusCode::PERMISSION_DENIED;
}

class AuthSystemTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fs::remove_all(RunDir());
    fs::create_directories(RunDir());
    std::vector<auth::TokenEntry> entries;
    for (const TestCaller& caller : Callers()) {
      entries.push_back({caller.name, caller.role, digest::Sha256Hex(caller.token)});
    }
    WriteText(TokensFile(), auth::FormatTokensFile(entries));
    WriteText(RunDir() / "gateway.token", CallerWithRole(auth::Role::kService).token + "\n");
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    fs::remove_all(RunDir(), ignored);
  }

  static fs::path TokensFile() { return RunDir() / "tokens.yaml"; }

  static absl::StatusOr<std::unique_ptr<ServiceProcess>> Start(const std::string& binary,
                                                               std::vector<std::string> args) {
    args.push_back("--log_level=warn");
    args.push_back("--drain_timeout_ms=1000");
    return ServiceProcess::Start(binary, std::move(args));
  }

  // The four services, every one requiring tokens; `extra` adds flags to all four.
  void StartAll(const std::vector<std::string>& extra = {},
                const std::vector<std::string>& gateway_extra = {}) {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    work_dir_ = RunDir() / name;
    fs::create_directories(work_dir_ / "root");
    data_dir_ = work_dir_ / "root" / "export";
    fs::create_directories(data_dir_);
    for (const auto& [file, text] : testing::DefaultTables()) WriteText(data_dir_ / file, text);

    auto with = [&extra](std::vector<std::string> args) {
      args.insert(args.end(), extra.begin(), extra.end());
      return args;
    };
    const std::string tokens = "--auth_tokens_file=" + TokensFile().string();
    auto ingest =
        Start(CHURN_INGEST_BINARY,
              with({"--grpc_address=" + Loopback(ingest_port_.port()),
                    "--metrics_address=127.0.0.1:0", tokens, "--data_dir=" + data_dir_.string(),
                    "--data_root=" + (work_dir_ / "root").string(), "--watch_interval_ms=0"}));
    ASSERT_TRUE(ingest.ok()) << ingest.status();
    ingest_ = *std::move(ingest);
    auto scoring = Start(CHURN_SCORING_BINARY,
                         with({"--grpc_address=" + Loopback(scoring_port_.port()),
                               "--metrics_address=127.0.0.1:0", tokens, "--rules_file="}));
    ASSERT_TRUE(scoring.ok()) << scoring.status();
    scoring_ = *std::move(scoring);
    auto enrichment = Start(CHURN_ENRICHMENT_BINARY,
                            with({"--grpc_address=" + Loopback(enrichment_port_.port()),
                                  "--metrics_address=127.0.0.1:0", tokens, "--use_model=false",
                                  "--cache_path=" + (work_dir_ / "cache.sqlite").string()}));
    ASSERT_TRUE(enrichment.ok()) << enrichment.status();
    enrichment_ = *std::move(enrichment);
    std::vector<std::string> gateway_args = with(
        {"--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
         "--http_address=" + Loopback(http_port_.port()), tokens,
         "--client_token_file=" + (RunDir() / "gateway.token").string(),
         "--ingest_address=" + Loopback(ingest_port_.port()),
         "--scoring_address=" + Loopback(scoring_port_.port()),
         "--enrichment_address=" + Loopback(enrichment_port_.port()), "--refresh_interval_ms=200",
         "--outcomes_db=" + (work_dir_ / "outcomes.sqlite").string(),
         "--history_db=" + (work_dir_ / "risk-history.sqlite").string(),
         "--web_root=" + std::string(CHURN_SOURCE_DIR) + "/web"});
    gateway_args.insert(gateway_args.end(), gateway_extra.begin(), gateway_extra.end());
    auto gateway = Start(CHURN_GATEWAY_BINARY, gateway_args);
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = *std::move(gateway);
  }

  httplib::Client Http() {
    httplib::Client client("127.0.0.1", http_port_.port());
    client.set_connection_timeout(2);
    client.set_read_timeout(20);
    return client;
  }

  static httplib::Headers Bearer(const std::string& token) {
    if (token.empty()) return {};
    return {{"Authorization", "Bearer " + token}};
  }

  fs::path work_dir_;
  fs::path data_dir_;
  PortReservation ingest_port_;
  PortReservation scoring_port_;
  PortReservation enrichment_port_;
  PortReservation http_port_;
  std::unique_ptr<ServiceProcess> ingest_;
  std::unique_ptr<ServiceProcess> scoring_;
  std::unique_ptr<ServiceProcess> enrichment_;
  std::unique_ptr<ServiceProcess> gateway_;
};

TEST_F(AuthSystemTest, EveryRpcOfEveryServiceAdmitsExactlyTheRolesThatMayCallIt) {
  ASSERT_NO_FATAL_FAILURE(StartAll());
  // The gateway reached SERVING through its neighbours with its own service token.
  absl::Status serving = testing::WaitForServing(gateway_->grpc_target(), 30s);
  ASSERT_TRUE(serving.ok()) << serving;

  struct Target {
    const google::protobuf::ServiceDescriptor* service;
    std::string address;
  };
  const std::vector<Target> targets = {
      {Service(v1::GetSnapshotInfoRequest::descriptor(), "IngestService"), ingest_->grpc_target()},
      {Service(v1::ScoreRequest::descriptor(), "ScoringService"), scoring_->grpc_target()},
      {Service(v1::AnalyzeTicketsRequest::descriptor(), "EnrichmentService"),
       enrichment_->grpc_target()},
      {Service(v1::GetExecutiveRequest::descriptor(), "GatewayService"), gateway_->grpc_target()},
  };
  int checked = 0;
  for (const Target& target : targets) {
    ASSERT_NE(target.service, nullptr);
    auto channel = grpc::CreateChannel(target.address, grpc::InsecureChannelCredentials());
    // Health stays open for probes.
    EXPECT_EQ(testing::HealthStatus(target.address).value_or("error"), "SERVING");
    for (int m = 0; m < target.service->method_count(); ++m) {
      const std::string method =
          absl::StrCat("/", target.service->full_name(), "/", target.service->method(m)->name());
      SCOPED_TRACE(method);
      // Every RPC of the API has its own permission: none is admin-only by omission.
      const auth::Permission permission = auth::PermissionForMethod(method);
      ASSERT_NE(permission, auth::Permission::kAdminOnly);
      ASSERT_NE(permission, auth::Permission::kOpen);

      EXPECT_EQ(CallWithEmptyRequest(channel, method, "").error_code(),
                grpc::StatusCode::UNAUTHENTICATED);
      grpc::Status forged = CallWithEmptyRequest(channel, method, "not-a-token");
      EXPECT_EQ(forged.error_code(), grpc::StatusCode::UNAUTHENTICATED);
      // The refusal does not tell which tokens exist.
      EXPECT_THAT(forged.error_message(), Not(HasSubstr("vera")));
      for (const TestCaller& caller : Callers()) {
        SCOPED_TRACE(caller.name);
        const grpc::Status status = CallWithEmptyRequest(channel, method, caller.token);
        if (auth::RoleGrants(caller.role, permission)) {
          EXPECT_FALSE(IsAuthRefusal(status.error_code()))
              << status.error_code() << " " << status.error_message();
        } else {
          EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
              << status.error_message();
        }
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 4 * 34);
}

struct Route {
  std::string method;
  std::string path;
  std::string body;
  auth::Permission permission;
};

TEST_F(AuthSystemTest, EveryHttpRouteAdmitsExactlyTheRolesThatMayCallIt) {
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_TRUE(testing::WaitForServing(gateway_->grpc_target(), 30s).ok());
  const std::string customer = "S-1";  // of testing::DefaultTables()
  std::ifstream rules_file(std::string(CHURN_SOURCE_DIR) + "/config/scoring.yaml");
  const std::string rules((std::istreambuf_iterator<char>(rules_file)),
                          std::istreambuf_iterator<char>());
  ASSERT_FALSE(rules.empty());
  using P = auth::Permission;
  const std::vector<Route> routes = {
      {"GET", "/api/v1/session", "", P::kReadViews},
      {"GET", "/api/v1/executive", "", P::kReadViews},
      {"GET", "/api/v1/drivers", "", P::kReadViews},
      {"GET", "/api/v1/at-risk?limit=5", "", P::kReadViews},
      {"GET", "/api/v1/customers/" + customer, "", P::kReadViews},
      {"GET", "/api/v1/outcomes", "", P::kReadViews},
      {"GET", "/api/v1/export/at-risk.csv", "", P::kReadViews},
      {"GET", "/api/v1/export/playbooks.csv", "", P::kReadViews},
      {"GET", "/api/v1/tickets/sets", "", P::kReadViews},
      {"POST", "/api/v1/customers/" + customer + "/outcomes", R"({"kind": "contacted"})",
       P::kRecordOutcomes},
      {"POST", "/api/v1/tickets/analyze", R"({"text": "We plan to cancel."})", P::kAnalyzeTickets},
      {"POST", "/api/v1/refresh", "{}", P::kRefresh},
      {"POST", "/api/v1/refresh", R"({"reload_data": true})", P::kReloadData},
      {"GET", "/api/v1/model-quality", "", P::kReadViews},
      {"POST", "/api/v1/rules/what-if", nlohmann::json{{"candidate_yaml", rules}}.dump(),
       P::kTryRules},
      // The rules in force again: allowed callers get 200 with nothing changed.
      {"POST", "/api/v1/rules/apply", nlohmann::json{{"yaml", rules}}.dump(), P::kManageRules},
      {"GET", "/api/v1/data-sets", "", P::kReadViews},
      {"POST", "/api/v1/data-sets/select", R"({"name": ""})", P::kLoadData},
  };
  httplib::Client client = Http();
  for (const Route& route : routes) {
    SCOPED_TRACE(route.method + " " + route.path + " " + route.body);
    auto send = [&](const std::string& token) {
      return route.method == "GET"
                 ? client.Get(route.path, Bearer(token))
                 : client.Post(route.path, Bearer(token), route.body, "application/json");
    };
    httplib::Result anonymous = send("");
    ASSERT_TRUE(anonymous);
    EXPECT_EQ(anonymous->status, 401) << anonymous->body;
    EXPECT_EQ(anonymous->get_header_value("WWW-Authenticate"), "Bearer");
    httplib::Result forged = send("not-a-token");
    ASSERT_TRUE(forged);
    EXPECT_EQ(forged->status, 401);
    for (const TestCaller& caller : Callers()) {
      SCOPED_TRACE(caller.name);
      httplib::Result result = send(caller.token);
      ASSERT_TRUE(result);
      if (auth::RoleGrants(caller.role, route.permission)) {
        EXPECT_LT(result->status, 300) << result->body;
      } else {
        EXPECT_EQ(result->status, 403) << result->body;
      }
    }
  }
  // A data set upload, under a name per caller (a name is taken once).
  for (const TestCaller& caller : Callers()) {
    SCOPED_TRACE(caller.name);
    nlohmann::json body = {{"name", "auth-" + caller.name}, {"files", nlohmann::json::array()}};
    for (const auto& [file, text] : testing::DefaultTables()) {
      body["files"].push_back({{"file_name", file}, {"content", absl::Base64Escape(text)}});
    }
    httplib::Result result = client.Post("/api/v1/data-sets/upload", Bearer(caller.token),
                                         body.dump(), "application/json");
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, auth::RoleGrants(caller.role, P::kLoadData) ? 201 : 403)
        << result->body;
  }
  // Probes, Prometheus and the dashboard's files need no token.
  for (const char* path : {"/healthz", "/readyz", "/metrics", "/", "/static/app.js"}) {
    httplib::Result result = client.Get(path);
    ASSERT_TRUE(result) << path;
    EXPECT_EQ(result->status, 200) << path;
  }
}

TEST_F(AuthSystemTest, OutcomesAreRecordedUnderTheCallersOwnName) {
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_TRUE(testing::WaitForServing(gateway_->grpc_target(), 30s).ok());
  httplib::Client client = Http();
  const TestCaller& csm = CallerWithRole(auth::Role::kCsm);
  httplib::Result posted = client.Post("/api/v1/customers/S-1/outcomes", Bearer(csm.token),
                                       R"({"kind": "meeting_scheduled"})", "application/json");
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 201) << posted->body;
  EXPECT_EQ(nlohmann::json::parse(posted->body)["outcome"]["recorded_by"], csm.name);

  // Over gRPC too, and a body cannot claim another name.
  auto channel = grpc::CreateChannel(gateway_->grpc_target(), grpc::InsecureChannelCredentials());
  auto stub = v1::GatewayService::NewStub(channel);
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + CallerWithRole(auth::Role::kAdmin).token);
  v1::RecordOutcomeRequest request;
  request.set_customer_id("S-1");
  request.set_kind(v1::OUTCOME_KIND_CONTACTED);
  v1::RecordOutcomeResponse response;
  grpc::Status status = stub->RecordOutcome(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.outcome().recorded_by(), "ada");

  httplib::Result claimed =
      client.Post("/api/v1/customers/S-1/outcomes", Bearer(csm.token),
                  R"({"kind": "contacted", "recorded_by": "ada"})", "application/json");
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->status, 400) << claimed->body;
}

TEST_F(AuthSystemTest, CrossSiteFormPostsAreRefusedAndEveryResponseCarriesSecurityHeaders) {
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_TRUE(testing::WaitForServing(gateway_->grpc_target(), 30s).ok());
  httplib::Client client = Http();
  const std::string admin = CallerWithRole(auth::Role::kAdmin).token;
  // What a browser sends cross-site without a preflight: refused before anything runs, even
  // with a valid token.
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
    httplib::Result result = client.Post("/api/v1/customers/S-1/outcomes", Bearer(admin),
                                         R"({"kind": "contacted"})", type);
    ASSERT_TRUE(result) << type;
    EXPECT_EQ(result->status, 415) << type << ": " << result->body;
  }
  httplib::Result outcomes = client.Get("/api/v1/outcomes?customer_id=S-1", Bearer(admin));
  ASSERT_TRUE(outcomes);
  EXPECT_EQ(nlohmann::json::parse(outcomes->body)["outcomes"].size(), 0u) << outcomes->body;
  // The upload takes CSV, not JSON.
  httplib::Result upload = client.Post("/api/v1/tickets/upload/analyze", Bearer(admin),
                                       "ticket_id,text\n1,hello\n", "text/plain");
  ASSERT_TRUE(upload);
  EXPECT_EQ(upload->status, 415);

  for (const std::string& path :
       {std::string("/"), std::string("/static/app.js"), std::string("/api/v1/executive"),
        std::string("/healthz"), std::string("/api/v1/no-such-thing"), std::string("/nothing")}) {
    SCOPED_TRACE(path);
    httplib::Result result = client.Get(path, Bearer(admin));
    ASSERT_TRUE(result);
    EXPECT_THAT(result->get_header_value("Content-Security-Policy"),
                HasSubstr("frame-ancestors 'none'"));
    EXPECT_THAT(result->get_header_value("Content-Security-Policy"),
                HasSubstr("script-src 'self'"));
    EXPECT_EQ(result->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(result->get_header_value("Referrer-Policy"), "no-referrer");
  }
}

TEST_F(AuthSystemTest, IngestLoadsOnlyFoldersUnderItsDataRoot) {
  ASSERT_NO_FATAL_FAILURE(StartAll());
  ASSERT_TRUE(testing::WaitForServing(ingest_->grpc_target(), 30s).ok());
  const fs::path outside = work_dir_ / "outside";
  fs::create_directories(outside);
  for (const auto& [file, text] : testing::DefaultTables()) WriteText(outside / file, text);
  auto stub = v1::IngestService::NewStub(
      grpc::CreateChannel(ingest_->grpc_target(), grpc::InsecureChannelCredentials()));
  for (const std::string& dir : {outside.string(), std::string("../outside"), std::string("/")}) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + CallerWithRole(auth::Role::kAdmin).token);
    v1::LoadDataFolderRequest request;
    request.set_data_dir(dir);
    v1::LoadDataFolderResponse response;
    grpc::Status status = stub->LoadDataFolder(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << dir;
    EXPECT_THAT(status.error_message(), Not(HasSubstr(work_dir_.string())));
  }
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + CallerWithRole(auth::Role::kAdmin).token);
  v1::LoadDataFolderRequest request;
  request.set_data_dir("export");  // relative to the root
  v1::LoadDataFolderResponse response;
  grpc::Status status = stub->LoadDataFolder(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(AuthSystemTest, WithoutTokensOnlyLoopbackUnlessTheOperatorSaysSo) {
  const fs::path dir = RunDir() / "loopback";
  fs::create_directories(dir);
  // A reachable address without a tokens file: refused at start, naming the key and the way out.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{CHURN_SCORING_BINARY, "--grpc_address=0.0.0.0:0",
                                 "--metrics_address=127.0.0.1:0", "--rules_file="},
        std::vector<std::string>{CHURN_GATEWAY_BINARY, "--grpc_address=127.0.0.1:0",
                                 "--metrics_address=127.0.0.1:0", "--http_address=0.0.0.0:0",
                                 "--outcomes_db=" + (dir / "o.sqlite").string()}}) {
    std::string command;
    for (const std::string& arg : args) absl::StrAppend(&command, arg, " ");
    int exit_code = 0;
    const std::string output = RunCommand(command + "2>&1", &exit_code);
    EXPECT_EQ(exit_code, 2) << output;
    EXPECT_THAT(output, HasSubstr("no auth_tokens_file is set"));
    EXPECT_THAT(output, HasSubstr("allow_unauthenticated"));
  }
  // Loopback without tokens, and a reachable address with the operator's explicit consent, start.
  auto loopback = Start(CHURN_SCORING_BINARY, {"--grpc_address=127.0.0.1:0",
                                               "--metrics_address=127.0.0.1:0", "--rules_file="});
  ASSERT_TRUE(loopback.ok()) << loopback.status();
  EXPECT_TRUE(testing::WaitForServing((*loopback)->grpc_target(), 30s).ok());
  auto consented =
      Start(CHURN_SCORING_BINARY, {"--grpc_address=0.0.0.0:0", "--metrics_address=127.0.0.1:0",
                                   "--rules_file=", "--allow_unauthenticated"});
  ASSERT_TRUE(consented.ok()) << consented.status();
  EXPECT_TRUE(testing::WaitForServing((*consented)->grpc_target(), 30s).ok());
  // The default configuration files listen on loopback only.
  for (const char* name : {"ingest", "scoring", "enrichment", "gateway"}) {
    std::ifstream in(absl::StrCat(CHURN_SOURCE_DIR, "/config/", name, "-service.yaml"));
    std::string line;
    while (std::getline(in, line)) {
      if (line.find("_address:") != std::string::npos &&
          line.find("0.0.0.0") != std::string::npos) {
        ADD_FAILURE() << name << ": " << line;
      }
    }
  }
}

// Mutual TLS between all four services, with certificates from the project's own script.
class MutualTlsTest : public AuthSystemTest {
 protected:
  static void SetUpTestSuite() {
    AuthSystemTest::SetUpTestSuite();
    int exit_code = 0;
    const std::string script = std::string(CHURN_SOURCE_DIR) + "/deploy/tls/make-certs.sh";
    std::string output = RunCommand(absl::StrCat(script, " ", (RunDir() / "tls").string(),
                                                 " ingest scoring enrichment gateway client 2>&1"),
                                    &exit_code);
    ASSERT_EQ(exit_code, 0) << output;
    // A certificate from another authority, which the services must not trust.
    output = RunCommand(absl::StrCat(script, " ", (RunDir() / "rogue").string(), " client 2>&1"),
                        &exit_code);
    ASSERT_EQ(exit_code, 0) << output;
  }

  static std::string Tls(const std::string& name) { return (RunDir() / "tls" / name).string(); }
  static std::string ReadText(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  static grpc::StatusCode HealthOver(const std::string& target,
                                     std::shared_ptr<grpc::ChannelCredentials> credentials,
                                     std::string* status_name) {
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("scoring");
    auto stub =
        grpc::health::v1::Health::NewStub(grpc::CreateCustomChannel(target, credentials, args));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 5s);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = stub->Check(&context, grpc::health::v1::HealthCheckRequest(), &response);
    *status_name = grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
    return status.error_code();
  }
};

TEST_F(MutualTlsTest, ServicesTalkOverMutualTlsAndRefuseClientsWithoutACertificateOfTheirCa) {
  // One certificate for the four here (deployments give each its own); the gateway verifies its
  // neighbours as "localhost", a SAN of every certificate, as it reaches them on loopback.
  ASSERT_NO_FATAL_FAILURE(
      StartAll({"--tls_ca_file=" + Tls("ca.crt"), "--tls_cert_file=" + Tls("scoring.crt"),
                "--tls_key_file=" + Tls("scoring.key")},
               {"--tls_server_name=localhost"}));
  // The gateway got its first views through ingest and scoring over mTLS.
  const std::string ca = Tls("ca.crt");
  int exit_code = 0;
  std::string output;
  for (int attempt = 0; attempt < 100; ++attempt) {
    output = RunCommand(
        absl::StrCat(CHURNCTL_BINARY, " health --address ", gateway_->grpc_target(),
                     " --tls-ca-file ", ca, " --tls-cert-file ", Tls("client.crt"),
                     " --tls-key-file ", Tls("client.key"), " --tls-server-name scoring 2>&1"),
        &exit_code);
    if (exit_code == 0) break;
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(exit_code, 0) << output;
  EXPECT_THAT(output, HasSubstr("SERVING"));

  std::string status_name;
  grpc::SslCredentialsOptions with_client_cert{ReadText(ca), ReadText(Tls("client.key")),
                                               ReadText(Tls("client.crt"))};
  EXPECT_EQ(
      HealthOver(scoring_->grpc_target(), grpc::SslCredentials(with_client_cert), &status_name),
      grpc::StatusCode::OK);
  EXPECT_EQ(status_name, "SERVING");

  // No client certificate, a certificate of another CA, or plaintext: no connection at all.
  grpc::SslCredentialsOptions without_cert{ReadText(ca), "", ""};
  EXPECT_EQ(HealthOver(scoring_->grpc_target(), grpc::SslCredentials(without_cert), &status_name),
            grpc::StatusCode::UNAVAILABLE);
  grpc::SslCredentialsOptions rogue{ReadText(ca),
                                    ReadText((RunDir() / "rogue" / "client.key").string()),
                                    ReadText((RunDir() / "rogue" / "client.crt").string())};
  EXPECT_EQ(HealthOver(scoring_->grpc_target(), grpc::SslCredentials(rogue), &status_name),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(HealthOver(scoring_->grpc_target(), grpc::InsecureChannelCredentials(), &status_name),
            grpc::StatusCode::UNAVAILABLE);

  // The tokens still apply inside the encrypted channel.
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("scoring");
  auto channel = grpc::CreateCustomChannel(scoring_->grpc_target(),
                                           grpc::SslCredentials(with_client_cert), args);
  EXPECT_EQ(CallWithEmptyRequest(channel, "/churn.v1.ScoringService/ReloadRules", "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(CallWithEmptyRequest(channel, "/churn.v1.ScoringService/ReloadRules",
                                 CallerWithRole(auth::Role::kViewer).token)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(CallWithEmptyRequest(channel, "/churn.v1.ScoringService/ReloadRules",
                                   CallerWithRole(auth::Role::kAdmin).token)
                  .ok());
}

}  // namespace
}  // namespace churn
