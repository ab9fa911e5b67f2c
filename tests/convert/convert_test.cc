// proto/convert: each message converted there and back keeps its meaning; bad input is named.
#include <string>

#include "convert/assessment_convert.h"
#include "convert/backtest_convert.h"
#include "convert/outcome_convert.h"
#include "convert/scored_customer_convert.h"
#include "convert/snapshot_convert.h"
#include "convert/ticket_convert.h"
#include "convert/time_convert.h"
#include "convert/views_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace churn::convert {
namespace {

using ::testing::HasSubstr;

TEST(ConvertTest, ScoredCustomerRoundTripAndBadPartsNamed) {
  reports::ScoredCustomer customer;
  customer.signals.customer_id = "S-1";
  customer.signals.account_id = "A-1";
  customer.signals.usage_drop_pct = 0.6;
  customer.signals.satisfaction_score = 2;
  customer.assessment.customer_id = "S-1";
  customer.assessment.risk_score = 40;
  customer.assessment.risk_level = scoring::RiskLevel::kMedium;
  customer.assessment.fired_rules = {{"usage_drop", "severe", 40, "Usage dropped 60%"}};
  v1::ScoredCustomer proto;
  ToProto(customer, &proto);
  absl::StatusOr<reports::ScoredCustomer> back = FromProto(proto);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->signals.satisfaction_score, 2);
  EXPECT_EQ(back->assessment.fired_rules[0].tier, "severe");
  v1::ScoredCustomer again;
  ToProto(*back, &again);
  EXPECT_EQ(again.SerializeAsString(), proto.SerializeAsString());

  proto.mutable_signals()->set_usage_drop_pct(1.5);
  EXPECT_EQ(FromProto(proto).status().message(),
            "signals.usage_drop_pct: must be within [0, 1], got 1.5");
  ToProto(customer, &proto);
  proto.mutable_assessment()->set_risk_level(v1::RISK_LEVEL_UNSPECIFIED);
  EXPECT_THAT(std::string(FromProto(proto).status().message()), HasSubstr("assessment.risk_level"));
}

TEST(ConvertTest, AssessmentTakenOutOfItsProtoEqualsTheCopy) {
  scoring::Assessment assessment;
  assessment.customer_id = "S-000000000042";
  assessment.risk_score = 70;
  assessment.risk_level = scoring::RiskLevel::kHigh;
  assessment.fired_rules = {{"usage_drop", "severe", 40, "Usage dropped 60% over the last 30 days"},
                            {"tickets", "many", 30, "Opened 7 support tickets in 30 days"}};
  assessment.reasons = {assessment.fired_rules[0].reason, assessment.fired_rules[1].reason};
  assessment.actions = {"Book an executive business review this week", "Call"};
  assessment.top_reasons = assessment.reasons[0].str() + "; " + assessment.reasons[1].str();
  assessment.recommended_actions = assessment.actions[0].str() + "; " + assessment.actions[1].str();
  v1::RiskAssessment proto;
  ToProto(assessment, &proto);
  absl::StatusOr<scoring::Assessment> copied = FromProto(proto, "a");
  ASSERT_TRUE(copied.ok()) << copied.status();
  v1::RiskAssessment taken_from = proto;
  absl::StatusOr<scoring::Assessment> taken = FromProto(&taken_from, "a");
  ASSERT_TRUE(taken.ok()) << taken.status();
  v1::RiskAssessment copied_back, taken_back;
  ToProto(*copied, &copied_back);
  ToProto(*taken, &taken_back);
  EXPECT_EQ(taken_back.SerializeAsString(), proto.SerializeAsString());
  EXPECT_EQ(copied_back.SerializeAsString(), proto.SerializeAsString());
  // An invalid level is refused before anything is taken, naming the path.
  proto.set_risk_level(v1::RISK_LEVEL_UNSPECIFIED);
  v1::RiskAssessment refused = proto;
  EXPECT_THAT(std::string(FromProto(&refused, "assessments[3]").status().message()),
              HasSubstr("assessments[3].risk_level"));
  EXPECT_EQ(refused.SerializeAsString(), proto.SerializeAsString());
}

TEST(ConvertTest, AssessmentsTakenWithOneInternerShareTheirEqualTexts) {
  scoring::Assessment assessment;
  assessment.customer_id = "S-1";
  assessment.risk_score = 40;
  assessment.risk_level = scoring::RiskLevel::kMedium;
  assessment.fired_rules = {
      {"usage_drop", "severe", 40, "Usage dropped 60% over the last 30 days"}};
  assessment.reasons = {assessment.fired_rules[0].reason};
  assessment.actions = {"Book an executive business review this week"};
  assessment.top_reasons = assessment.reasons[0];
  assessment.recommended_actions = assessment.actions[0];
  v1::RiskAssessment proto;
  ToProto(assessment, &proto);
  TextInterner texts;
  v1::RiskAssessment first_proto = proto, second_proto = proto;
  second_proto.set_customer_id("S-2");
  absl::StatusOr<scoring::Assessment> first = FromProto(&first_proto, "a", &texts);
  absl::StatusOr<scoring::Assessment> second = FromProto(&second_proto, "b", &texts);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  // The same values as without interning, to the byte.
  v1::RiskAssessment back;
  ToProto(*first, &back);
  EXPECT_EQ(back.SerializeAsString(), proto.SerializeAsString());
  EXPECT_EQ(second->customer_id, "S-2");
  // One string per distinct text: the reason appears four times, the action twice.
  EXPECT_TRUE(first->fired_rules[0].reason.SharesStringWith(second->fired_rules[0].reason));
  EXPECT_TRUE(first->fired_rules[0].reason.SharesStringWith(second->reasons[0]));
  EXPECT_TRUE(first->top_reasons.SharesStringWith(second->fired_rules[0].reason));
  EXPECT_TRUE(first->actions[0].SharesStringWith(second->recommended_actions));
  EXPECT_TRUE(first->fired_rules[0].rule.SharesStringWith(second->fired_rules[0].rule));
  EXPECT_FALSE(first->fired_rules[0].rule.SharesStringWith(first->fired_rules[0].tier));
  EXPECT_EQ(texts.size(), 4u);  // rule, tier, reason, action
}

TEST(ConvertTest, OutcomeKindsRoundTripAndUnspecifiedIsRefused) {
  for (outcomes::OutcomeKind kind : outcomes::kAllOutcomeKinds) {
    absl::StatusOr<outcomes::OutcomeKind> back = FromProto(ToProto(kind));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, kind);
  }
  EXPECT_EQ(FromProto(v1::OUTCOME_KIND_UNSPECIFIED).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ConvertTest, TimestampsKeepNanoseconds) {
  const absl::Time time = absl::FromUnixSeconds(1700000000) + absl::Nanoseconds(123456789);
  google::protobuf::Timestamp proto;
  ToProto(time, &proto);
  EXPECT_EQ(proto.nanos(), 123456789);
  EXPECT_EQ(FromProto(proto), time);
}

TEST(ConvertTest, SnapshotInfoFillsTheViewInputs) {
  v1::SnapshotInfo info;
  info.set_version(4);
  info.set_instance_id("ingest-1");
  info.set_usage_window_end("2024-12-31");
  info.set_support_window_end("");
  (*info.mutable_churn_reason_counts())["pricing"] = 3;
  viewsets::ViewSetInputs inputs;
  FromProto(info, &inputs);
  EXPECT_EQ(inputs.snapshot_version, 4);
  EXPECT_EQ(inputs.snapshot_instance, "ingest-1");
  EXPECT_EQ(inputs.usage_window_end, dataset::ParseDate("2024-12-31"));
  EXPECT_FALSE(inputs.support_window_end.has_value());
  EXPECT_EQ(inputs.churn_reason_counts.at("pricing"), 3);

  EXPECT_EQ(FromProto(v1::TABLE_KIND_SUPPORT_TICKETS), dataset::Table::kSupportTickets);
  EXPECT_FALSE(FromProto(v1::TABLE_KIND_TICKET_TEXT).has_value());
}

TEST(ConvertTest, TicketTextsAndAnalyses) {
  tickets::TicketForAnalysis ticket{"T-1", "S-1", "We may cancel", dataset::ParseDate("2024-12-20"),
                                    true};
  v1::TicketText proto;
  ToProto(ticket, &proto);
  EXPECT_EQ(proto.submitted_at(), "2024-12-20");
  EXPECT_TRUE(proto.synthetic());
  const enrichment::TicketInput input = FromProto(proto);
  EXPECT_EQ(input.ticket_id, "T-1");
  EXPECT_EQ(input.customer_id, "S-1");
  EXPECT_EQ(input.text, "We may cancel");

  enrichment::EnrichmentResult result;
  result.ticket_id = "T-1";
  result.analysis.churn_intent = true;
  result.analysis.source = "fallback";
  result.error = "timeout_after_11s";
  v1::TicketAnalysis analysis;
  ToProto(result, &analysis);
  EXPECT_TRUE(analysis.churn_intent());
  EXPECT_EQ(analysis.source(), "fallback");
  EXPECT_EQ(analysis.error(), "timeout_after_11s");
}

TEST(ConvertTest, DriversCarryTheirLabelsAndUnknownSortsAreRefused) {
  reports::DriversSummary drivers;
  drivers.drivers.push_back({"usage_drop", "Usage collapse", 7});
  v1::GetDriversResponse response;
  ToProto(drivers, &response);
  ASSERT_EQ(response.drivers_size(), 1);
  EXPECT_EQ(response.drivers(0).label(), "Usage collapse");
  EXPECT_EQ(*FromProto(v1::AT_RISK_SORT_FIELD_UNSPECIFIED), viewsets::AtRiskSort::kRiskScore);
  EXPECT_EQ(FromProto(static_cast<v1::AtRiskSortField>(99)).status().message(),
            "sort_by: unknown sort field 99");
}

// The Struct carries ToJson's keys: an undefined metric stays null, not 0, and the model slot
// is null until a model is evaluated.
TEST(ConvertTest, BacktestReportAsStructKeepsKeysAndNulls) {
  backtest::BacktestReport report;
  report.base_rate = 0.25;
  report.rules.precision_high = 0.5;
  report.rule_firing = {{"usage_drop", 4, 2, 0.5, 2.0}};
  google::protobuf::Struct proto;
  ASSERT_TRUE(ToProto(report, &proto).ok());
  const auto& fields = proto.fields();
  EXPECT_DOUBLE_EQ(fields.at("base_rate").number_value(), 0.25);
  EXPECT_TRUE(fields.at("model").has_null_value());
  const auto& rules = fields.at("rules").struct_value().fields();
  EXPECT_DOUBLE_EQ(rules.at("precision_high").number_value(), 0.5);
  EXPECT_TRUE(rules.at("roc_auc").has_null_value());
  const auto& firing = fields.at("rule_firing").list_value().values();
  ASSERT_EQ(firing.size(), 1);
  EXPECT_EQ(firing[0].struct_value().fields().at("rule").string_value(), "usage_drop");
  EXPECT_DOUBLE_EQ(firing[0].struct_value().fields().at("lift").number_value(), 2.0);
}

}  // namespace
}  // namespace churn::convert
