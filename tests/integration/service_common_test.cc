// Unit tests of services/common: configuration layers, log lines, status mapping, signal
// validation and deadline propagation. No process or network involved.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include "common/deadline.h"
#include "common/grpc_code_name.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "common/proto_convert.h"
#include "common/public_error.h"
#include "common/service_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace churn::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<ConfigKey> TestKeys() {
  std::vector<ConfigKey> keys = CommonServiceKeys("0.0.0.0:1", "0.0.0.0:2");
  keys.push_back({"max_batch", ConfigType::kInt, "100", "batch limit"});
  keys.push_back({"strict", ConfigType::kBool, "false", "a switch"});
  keys.push_back({"ratio", ConfigType::kDouble, "0.5", "a ratio"});
  return keys;
}

class ServiceConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("churn-config-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string WriteConfig(const std::string& text) {
    std::string path = (dir_ / "test-service.yaml").string();
    std::ofstream(path) << text;
    return path;
  }

  absl::StatusOr<ServiceConfig> Load(std::vector<std::string> args) {
    std::vector<const char*> argv = {"churn-test"};
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    return ServiceConfig::Load("test", TestKeys(), static_cast<int>(argv.size()), argv.data(),
                               [this](const std::string& name) -> std::optional<std::string> {
                                 auto it = env_.find(name);
                                 if (it == env_.end()) return std::nullopt;
                                 return it->second;
                               });
  }

  std::filesystem::path dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(ServiceConfigTest, DefaultsWhenNothingIsGiven) {
  // The default file config/test-service.yaml does not exist: defaults, no error.
  absl::StatusOr<ServiceConfig> config = Load({});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->GetString("grpc_address"), "0.0.0.0:1");
  EXPECT_EQ(config->GetInt("max_batch"), 100);
  EXPECT_FALSE(config->GetBool("strict"));
  EXPECT_DOUBLE_EQ(config->GetDouble("ratio"), 0.5);
  EXPECT_EQ(config->SourceOf("max_batch"), "default");
  EXPECT_EQ(config->config_file(), "");
}

TEST_F(ServiceConfigTest, FlagsBeatEnvironmentBeatFile) {
  std::string file = WriteConfig("max_batch: 7\nratio: 0.25\nlog_level: debug\n");
  env_["CHURN_TEST_MAX_BATCH"] = "8";
  env_["CHURN_TEST_STRICT"] = "true";
  absl::StatusOr<ServiceConfig> config =
      Load({"--config=" + file, "--max-batch=9", "--grpc_address", "127.0.0.1:0"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->config_file(), file);
  EXPECT_EQ(config->GetInt("max_batch"), 9);
  EXPECT_EQ(config->SourceOf("max_batch"), "flag");
  EXPECT_TRUE(config->GetBool("strict"));
  EXPECT_EQ(config->SourceOf("strict"), "env");
  EXPECT_DOUBLE_EQ(config->GetDouble("ratio"), 0.25);
  EXPECT_EQ(config->SourceOf("ratio"), "file");
  EXPECT_EQ(config->GetString("log_level"), "debug");
  EXPECT_EQ(config->GetString("grpc_address"), "127.0.0.1:0");
}

TEST_F(ServiceConfigTest, ConfigFileFromEnvironment) {
  env_["CHURN_TEST_CONFIG"] = WriteConfig("max_batch: 3\n");
  absl::StatusOr<ServiceConfig> config = Load({});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->GetInt("max_batch"), 3);
}

TEST_F(ServiceConfigTest, BareBoolFlagMeansTrue) {
  absl::StatusOr<ServiceConfig> config = Load({"--strict"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->GetBool("strict"));
}

TEST_F(ServiceConfigTest, UnknownKeysAreErrors) {
  std::string file = WriteConfig("max_batch: 3\nmax_bacth: 4\n");
  absl::StatusOr<ServiceConfig> config = Load({"--config=" + file});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr(file + ":2: unknown key 'max_bacth'"));

  config = Load({"--no_such_flag=1"});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("unknown flag --no_such_flag"));

  config = Load({"positional"});
  ASSERT_FALSE(config.ok());
}

TEST_F(ServiceConfigTest, WrongTypesNameTheKeyAndSource) {
  env_["CHURN_TEST_MAX_BATCH"] = "many";
  absl::StatusOr<ServiceConfig> config = Load({});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "environment CHURN_TEST_MAX_BATCH: max_batch: must be int, got 'many'");

  env_.clear();
  config = Load({"--strict=perhaps"});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("strict: must be bool"));

  config = Load({"--config=" + WriteConfig("ratio: [1, 2]\n")});
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("ratio: must be a single value"));
}

TEST_F(ServiceConfigTest, MissingExplicitFileIsAnError) {
  absl::StatusOr<ServiceConfig> config = Load({"--config=" + (dir_ / "absent.yaml").string()});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ServiceConfigTest, HelpWinsOverBrokenInputAndListsEveryKey) {
  env_["CHURN_TEST_MAX_BATCH"] = "many";
  absl::StatusOr<ServiceConfig> config = Load({"--bogus", "--help"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->help_requested());
  std::string help = config->HelpText();
  for (const ConfigKey& key : TestKeys()) {
    EXPECT_THAT(help, HasSubstr("--" + key.name + "="));
    EXPECT_THAT(help, HasSubstr(key.description));
  }
  EXPECT_THAT(help, HasSubstr("(default: \"100\"; env CHURN_TEST_MAX_BATCH)"));
}

TEST(LoggingTest, OneParseableLinePerEvent) {
  LogField fields[] = {{"customers", 3},
                       {"ratio", 0.25},
                       {"ok", true},
                       {"path", "a b"},
                       {"quote", "say \"hi\"\nbye"},
                       {"empty", ""}};
  EXPECT_EQ(
      FormatLogLine("2024-01-02T03:04:05.678Z", LogLevel::kWarn, "scoring", "rules_rejected",
                    fields, std::size(fields)),
      "ts=2024-01-02T03:04:05.678Z level=warn service=scoring event=rules_rejected "
      "customers=3 ratio=0.25 ok=true path=\"a b\" quote=\"say \\\"hi\\\"\\nbye\" empty=\"\"");
}

TEST(GrpcStatusTest, CodesAndMessagesSurviveTheMapping) {
  grpc::Status status = ToGrpcStatus(absl::InvalidArgumentError("signals.arr: bad"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "signals.arr: bad");
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  absl::Status back = FromGrpcStatus(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "slow"));
  EXPECT_EQ(back.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(back.message(), "slow");
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(GrpcStatusTest, CodeNamesMatchGoGrpcPrometheus) {
  EXPECT_STREQ(GrpcCodeName(grpc::StatusCode::OK), "OK");
  EXPECT_STREQ(GrpcCodeName(grpc::StatusCode::CANCELLED), "Canceled");
  EXPECT_STREQ(GrpcCodeName(grpc::StatusCode::INVALID_ARGUMENT), "InvalidArgument");
  EXPECT_STREQ(GrpcCodeName(grpc::StatusCode::DEADLINE_EXCEEDED), "DeadlineExceeded");
  EXPECT_STREQ(GrpcCodeName(grpc::StatusCode::RESOURCE_EXHAUSTED), "ResourceExhausted");
  EXPECT_STREQ(GrpcCodeName(grpc::StatusCode::UNAUTHENTICATED), "Unauthenticated");
}

TEST(DeadlineTest, OutsideAnRpcTheDefaultApplies) {
  auto before = std::chrono::system_clock::now();
  std::unique_ptr<grpc::ClientContext> context =
      MakeDownstreamContext(nullptr, std::chrono::milliseconds(1500));
  auto deadline = context->deadline();
  EXPECT_GE(deadline, before + std::chrono::milliseconds(1500));
  EXPECT_LE(deadline, std::chrono::system_clock::now() + std::chrono::milliseconds(1500));
}

v1::CustomerSignals ValidSignals() {
  v1::CustomerSignals proto;
  proto.set_customer_id("sub-1");
  proto.set_account_id("acc-1");
  proto.set_account_name("Acme");
  proto.set_industry("Retail");
  proto.set_country("DE");
  proto.set_plan_tier("Pro");
  proto.set_arr(1200.5);
  proto.set_churned(true);
  proto.set_usage_30d(40);
  proto.set_usage_prev30d(100);
  proto.set_usage_drop_pct(0.6);
  proto.set_errors_30d(2);
  proto.set_tickets_30d(3);
  proto.set_satisfaction_score(2.5);
  proto.set_escalation_flag(true);
  proto.set_avg_first_response_min(30);
  proto.set_churn_intent_30d(1);
  proto.set_downgrade_flag(true);
  proto.set_is_trial(true);
  return proto;
}

TEST(ProtoConvertTest, SignalsRoundTripKeepingAbsentMeans) {
  v1::CustomerSignals proto = ValidSignals();
  absl::StatusOr<CustomerSignals> signals = SignalsFromProto(proto, "signals");
  ASSERT_TRUE(signals.ok()) << signals.status();
  EXPECT_EQ(signals->customer_id, "sub-1");
  EXPECT_EQ(signals->satisfaction_score, 2.5);
  EXPECT_EQ(signals->avg_first_response_min, 30);
  EXPECT_FALSE(signals->avg_resolution_hours.has_value());
  v1::CustomerSignals back;
  SignalsToProto(*signals, &back);
  EXPECT_EQ(back.SerializeAsString(), proto.SerializeAsString());
  EXPECT_FALSE(back.has_avg_resolution_hours());
}

TEST(ProtoConvertTest, TheFirstBadFieldIsNamedWithItsPath) {
  v1::CustomerSignals proto = ValidSignals();
  proto.set_usage_30d(-5);
  proto.set_errors_30d(-1);
  absl::StatusOr<CustomerSignals> signals = SignalsFromProto(proto, "customers[3]");
  ASSERT_FALSE(signals.ok());
  EXPECT_EQ(signals.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(signals.status().message(), "customers[3].usage_30d: must be >= 0, got -5");

  proto = ValidSignals();
  proto.set_usage_drop_pct(-0.1);
  EXPECT_EQ(SignalsFromProto(proto, "").status().message(),
            "usage_drop_pct: must be within [0, 1], got -0.1");
}

TEST(ProtoConvertTest, AssessmentRoundTrip) {
  scoring::Assessment assessment;
  assessment.customer_id = "sub-1";
  assessment.risk_score = 44;
  assessment.risk_level = scoring::RiskLevel::kMedium;
  assessment.fired_rules = {{"usage_drop", "large", 28, "Usage dropped 40% (30d vs prior)"}};
  assessment.reasons = {"Usage dropped 40% (30d vs prior)"};
  assessment.actions = {"Schedule a check-in to reset goals"};
  assessment.top_reasons = assessment.reasons[0];
  assessment.recommended_actions = assessment.actions[0];
  v1::RiskAssessment proto;
  AssessmentToProto(assessment, &proto);
  EXPECT_EQ(proto.risk_level(), v1::RISK_LEVEL_MEDIUM);
  ASSERT_EQ(proto.fired_rules_size(), 1);
  EXPECT_EQ(proto.fired_rules(0).points(), 28);
  absl::StatusOr<scoring::Assessment> back = AssessmentFromProto(proto, "assessment");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->risk_score, 44);
  EXPECT_EQ(back->fired_rules[0].tier, "large");
  EXPECT_EQ(back->top_reasons, assessment.top_reasons);

  proto.set_risk_level(v1::RISK_LEVEL_UNSPECIFIED);
  EXPECT_THAT(std::string(AssessmentFromProto(proto, "assessments[0]").status().message()),
              HasSubstr("assessments[0].risk_level"));
}

TEST(PublicErrorMessageTest, KeepsFileLineAndColumnButNotTheServersFolders) {
  EXPECT_EQ(PublicErrorMessage(absl::InvalidArgumentError(
                "/srv/churn/data/accounts.csv:3:7: arr_amount: expected a number, got 'x'")),
            "accounts.csv:3:7: arr_amount: expected a number, got 'x'");
  EXPECT_EQ(PublicErrorMessage(absl::NotFoundError("cannot read '/etc/churn/rules.yaml'")),
            "cannot read 'rules.yaml'");
  EXPECT_EQ(PublicErrorMessage(absl::InvalidArgumentError("plan_tier: a/b is not a tier")),
            "plan_tier: a/b is not a tier");
}

TEST(PublicErrorMessageTest, InternalDetailStaysInTheLog) {
  for (const absl::Status& status :
       {absl::InternalError("outcome log: INSERT: database disk image is malformed"),
        absl::DataLossError("/var/lib/churn/outcomes.sqlite: read error"),
        absl::UnknownError("boom")}) {
    const std::string message = PublicErrorMessage(status);
    EXPECT_THAT(message, HasSubstr("reference "));
    EXPECT_THAT(message, Not(HasSubstr("sqlite")));
    EXPECT_THAT(message, Not(HasSubstr("database")));
    EXPECT_THAT(message, Not(HasSubstr("boom")));
  }
  EXPECT_NE(PublicErrorMessage(absl::InternalError("x")), PublicErrorMessage(absl::InternalError("x")));
  EXPECT_EQ(ToGrpcStatus(absl::InternalError("SQLITE_BUSY")).error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_THAT(ToGrpcStatus(absl::InternalError("SQLITE_BUSY")).error_message(),
              Not(HasSubstr("SQLITE")));
}

}  // namespace
}  // namespace churn::service
