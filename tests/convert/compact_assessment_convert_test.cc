// The compact ScoreBatch columns: a round trip through the proto, and columns that do not fit the
// texts refused with the field named.
#include "convert/compact_assessment_convert.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scoring/compact_assessment.h"
#include "scoring/engine.h"
#include "scoring/rule_set.h"

namespace churn::convert {
namespace {

using ::testing::HasSubstr;

std::vector<CustomerSignals> Customers() {
  std::vector<CustomerSignals> customers(3);
  customers[0].usage_drop_pct = 0.575;  // usage_drop/large: the reason quotes 58%
  customers[0].tickets_30d = 7;         // support_load/high: quotes the count
  customers[1].is_trial = true;         // no quoted value
  return customers;                     // customers[2]: nothing fires, the default action
}

TEST(CompactAssessmentConvertTest, ColumnsAndTextsRoundTrip) {
  const scoring::RuleSet& rules = scoring::DefaultRuleSet();
  const scoring::RulesTexts texts = scoring::BuildRulesTexts(rules);
  v1::RulesTexts texts_proto;
  ToProto(texts, "abc", &texts_proto);
  EXPECT_EQ(texts_proto.rules_sha256(), "abc");
  absl::StatusOr<scoring::RulesTexts> texts_back = FromProto(texts_proto, "rules_texts");
  ASSERT_TRUE(texts_back.ok()) << texts_back.status();

  v1::CompactAssessments columns;
  for (const CustomerSignals& s : Customers()) {
    AppendToProto(scoring::ScoreCustomerCompact(rules, s), texts, &columns);
  }
  EXPECT_EQ(columns.reading_values_size(), 1);
  EXPECT_EQ(columns.reading_counts_size(), 1);
  absl::StatusOr<std::vector<scoring::CompactAssessment>> back =
      FromProto(columns, *texts_back, "compact");
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const scoring::Assessment full = scoring::ScoreCustomer(rules, Customers()[i]);
    const scoring::Assessment expanded = scoring::ExpandAssessment(*texts_back, (*back)[i], "");
    EXPECT_EQ(full.top_reasons, expanded.top_reasons);
    EXPECT_EQ(full.recommended_actions, expanded.recommended_actions);
    EXPECT_EQ(full.risk_score, expanded.risk_score);
  }
  EXPECT_THAT(scoring::ExpandAssessment(*texts_back, (*back)[0], "").top_reasons, HasSubstr("58%"));
}

TEST(CompactAssessmentConvertTest, ColumnsThatDoNotFitAreRefused) {
  const scoring::RulesTexts texts = scoring::BuildRulesTexts(scoring::DefaultRuleSet());
  v1::CompactAssessments good;
  AppendToProto(scoring::ScoreCustomerCompact(scoring::DefaultRuleSet(), Customers()[0]), texts,
                &good);
  ASSERT_TRUE(FromProto(good, texts, "compact").ok());

  v1::CompactAssessments bad_tier = good;
  bad_tier.set_fired_tiers(0, static_cast<int32_t>(texts.tiers.size()));
  EXPECT_THAT(FromProto(bad_tier, texts, "compact").status().message(),
              HasSubstr("compact: fired_tiers[0] is not a tier"));

  v1::CompactAssessments bad_action = good;
  bad_action.set_actions(0, -1);
  EXPECT_THAT(FromProto(bad_action, texts, "compact").status().message(),
              HasSubstr("is not an action"));

  v1::CompactAssessments short_counts = good;
  short_counts.set_fired_counts(0, 9);
  EXPECT_EQ(FromProto(short_counts, texts, "compact").status().code(),
            absl::StatusCode::kInvalidArgument);

  v1::CompactAssessments missing_value = good;
  missing_value.clear_reading_values();
  EXPECT_THAT(FromProto(missing_value, texts, "compact").status().message(),
              HasSubstr("reading_values ends early"));

  v1::CompactAssessments extra = good;
  extra.add_reading_counts(1);
  EXPECT_THAT(FromProto(extra, texts, "compact").status().message(), HasSubstr("columns longer"));
}

}  // namespace
}  // namespace churn::convert
