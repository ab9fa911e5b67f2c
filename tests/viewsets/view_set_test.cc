#include "viewsets/view_set.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sample_views.h"

namespace churn::viewsets {
namespace {

using testing::SampleViews;

std::vector<std::string> Ids(const AtRiskRows& customers) {
  std::vector<std::string> ids;
  for (const auto& c : customers) ids.push_back(c.signals.customer_id);
  return ids;
}

TEST(ViewSet, SortsCustomersInAtRiskOrder) {
  auto views = SampleViews();
  EXPECT_THAT(Ids(views->at_risk()), ::testing::ElementsAre("S-1", "S-2", "S-4", "S-3", "S-5"));
  EXPECT_EQ(views->at_risk()[0].assessment.risk_score, 80);
  EXPECT_EQ(views->at_risk()[1].assessment.risk_score, 44);
}

TEST(ViewSet, CarriesSummariesAndIdentity) {
  auto views = SampleViews(12, absl::FromUnixSeconds(42));
  EXPECT_EQ(views->snapshot_version(), 12);
  EXPECT_EQ(views->built_at(), absl::FromUnixSeconds(42));
  EXPECT_EQ(views->rules_sha256(), "abc");
  EXPECT_EQ(views->executive().customers, 5);
  EXPECT_EQ(views->executive().high_risk_count, 1);
  EXPECT_EQ(views->executive().medium_risk_count, 1);
  EXPECT_EQ(views->executive().churned_customers, 1);
  EXPECT_DOUBLE_EQ(views->executive().arr_at_risk_high, 5000);
  EXPECT_EQ(views->usage_window_end(), dataset::ParseDate("2024-12-31"));
  EXPECT_EQ(views->support_window_end(), dataset::ParseDate("2024-12-30"));
  ASSERT_EQ(views->drivers().churn_reasons.size(), 2u);
  EXPECT_EQ(views->drivers().churn_reasons[0].first, "budget");
}

TEST(ViewSet, FindsCustomersById) {
  auto views = SampleViews();
  const reports::ScoredCustomer* found = views->FindCustomer("S-2");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->signals.plan_tier, "Basic");
  EXPECT_EQ(views->FindCustomer("S-404"), nullptr);
  EXPECT_EQ(views->FindCustomer(""), nullptr);
}

TEST(ViewSet, SegmentsByPlanTierIndustryAndCountry) {
  auto views = SampleViews();
  const auto& countries = views->segments(SegmentKind::kCountry);
  ASSERT_EQ(countries.size(), 3u);
  EXPECT_EQ(countries[0].segment, "DE");
  EXPECT_EQ(countries[2].segment, "US");
  EXPECT_EQ(countries[2].customers, 3);
  EXPECT_EQ(countries[2].high, 1);
  EXPECT_EQ(countries[2].low, 2);
  EXPECT_DOUBLE_EQ(countries[2].mean_risk_score, 30.0);  // (80 + 10 + 0) / 3

  const auto& industries = views->segments(SegmentKind::kIndustry);
  ASSERT_EQ(industries.size(), 2u);
  EXPECT_EQ(industries[0].segment, "EdTech");
  EXPECT_EQ(industries[0].customers, 4);

  // Plan tiers are kept as written: "pro" and "Pro" are different segments.
  EXPECT_EQ(views->segments(SegmentKind::kPlanTier).size(), 4u);
}

TEST(ViewSet, EmptyInputsGiveEmptyViews) {
  auto views = ViewSet::Build({});
  EXPECT_TRUE(views->at_risk().empty());
  EXPECT_EQ(views->executive().customers, 0);
  EXPECT_TRUE(views->segments(SegmentKind::kPlanTier).empty());
}

TEST(SegmentKind, ParsesKnownNamesOnly) {
  EXPECT_EQ(*ParseSegmentKind(""), SegmentKind::kPlanTier);
  EXPECT_EQ(*ParseSegmentKind("country"), SegmentKind::kCountry);
  EXPECT_EQ(*ParseSegmentKind("industry"), SegmentKind::kIndustry);
  absl::StatusOr<SegmentKind> bad = ParseSegmentKind("region");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), ::testing::HasSubstr("region"));
}

}  // namespace
}  // namespace churn::viewsets
