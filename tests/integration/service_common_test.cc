// Unit tests of services/common: log lines, status mapping, signal validation and deadline
// propagation (the settings layers are tested in tests/settings). No process or network involved.
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
#include "convert/assessment_convert.h"
#include "convert/signals_convert.h"
#include "common/public_error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace churn::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

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
  absl::StatusOr<CustomerSignals> signals = convert::FromProto(proto, "signals");
  ASSERT_TRUE(signals.ok()) << signals.status();
  EXPECT_EQ(signals->customer_id, "sub-1");
  EXPECT_EQ(signals->satisfaction_score, 2.5);
  EXPECT_EQ(signals->avg_first_response_min, 30);
  EXPECT_FALSE(signals->avg_resolution_hours.has_value());
  v1::CustomerSignals back;
  convert::ToProto(*signals, &back);
  EXPECT_EQ(back.SerializeAsString(), proto.SerializeAsString());
  EXPECT_FALSE(back.has_avg_resolution_hours());
}

TEST(ProtoConvertTest, TheFirstBadFieldIsNamedWithItsPath) {
  v1::CustomerSignals proto = ValidSignals();
  proto.set_usage_30d(-5);
  proto.set_errors_30d(-1);
  absl::StatusOr<CustomerSignals> signals = convert::FromProto(proto, "customers[3]");
  ASSERT_FALSE(signals.ok());
  EXPECT_EQ(signals.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(signals.status().message(), "customers[3].usage_30d: must be >= 0, got -5");

  proto = ValidSignals();
  proto.set_usage_drop_pct(-0.1);
  EXPECT_EQ(convert::FromProto(proto, "").status().message(),
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
  convert::ToProto(assessment, &proto);
  EXPECT_EQ(proto.risk_level(), v1::RISK_LEVEL_MEDIUM);
  ASSERT_EQ(proto.fired_rules_size(), 1);
  EXPECT_EQ(proto.fired_rules(0).points(), 28);
  absl::StatusOr<scoring::Assessment> back = convert::FromProto(proto, "assessment");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->risk_score, 44);
  EXPECT_EQ(back->fired_rules[0].tier, "large");
  EXPECT_EQ(back->top_reasons, assessment.top_reasons);

  proto.set_risk_level(v1::RISK_LEVEL_UNSPECIFIED);
  EXPECT_THAT(std::string(convert::FromProto(proto, "assessments[0]").status().message()),
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
