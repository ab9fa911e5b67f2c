// The model's feature table: one value per feature, unknowns as NaN, plain-language sentences.

#include "churnmodel/features.h"

#include <cmath>

#include "churnmodel/churn_model.h"
#include "gtest/gtest.h"

namespace churn::churnmodel {
namespace {

size_t Column(std::string_view name) {
  const std::vector<std::string> names = FeatureNames();
  return std::find(names.begin(), names.end(), name) - names.begin();
}

TEST(FeaturesTest, NeedsLongViews) {
  CustomerSignals signals;
  signals.customer_id = "S-1";
  absl::StatusOr<std::vector<float>> row = FeatureRow(signals);
  EXPECT_EQ(row.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(row.status().message().find("S-1"), std::string_view::npos);
}

TEST(FeaturesTest, ValuesAndUnknowns) {
  CustomerSignals signals;
  signals.usage_drop_pct = 0.6;
  signals.tickets_30d = 4;
  signals.long_views = LongViews{};
  signals.long_views->tickets_prev30d = 1;
  signals.long_views->seats = 7;
  absl::StatusOr<std::vector<float>> row = FeatureRow(signals);
  ASSERT_TRUE(row.ok()) << row.status();
  ASSERT_EQ(row->size(), Features().size());
  EXPECT_FLOAT_EQ((*row)[Column("usage_drop_pct")], 0.6F);
  EXPECT_FLOAT_EQ((*row)[Column("seats")], 7);
  EXPECT_FLOAT_EQ((*row)[Column("ticket_trend_30d")], 3);
  EXPECT_TRUE(std::isnan((*row)[Column("satisfaction_score")]));
  EXPECT_TRUE(std::isnan((*row)[Column("tenure_days")]));
  EXPECT_TRUE(std::isnan((*row)[Column("auto_renew")]));
  // No use in the 90-day window reads as more than 90 days.
  EXPECT_FLOAT_EQ((*row)[Column("days_since_last_activity")], kLongWindowDays + 1);
}

TEST(FeaturesTest, NamesAreUnique) {
  std::vector<std::string> names = FeatureNames();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::unique(names.begin(), names.end()), names.end());
}

TEST(FeaturesTest, Sentences) {
  EXPECT_EQ(ContributionSentence(Column("usage_drop_pct"), 0.62, 0.8),
            "Usage in the last 30 days is 62% below the prior 30: raises the churn estimate");
  EXPECT_EQ(ContributionSentence(Column("auto_renew"), 1, -0.3),
            "Auto-renewal on: lowers the churn estimate");
  EXPECT_EQ(ContributionSentence(Column("days_since_last_activity"), 91, 1.2),
            "No product use in the last 90 days: raises the churn estimate");
  EXPECT_EQ(ContributionSentence(Column("seats"), std::nullopt, 0.1),
            "Seats unknown: raises the churn estimate");
}

}  // namespace
}  // namespace churn::churnmodel
