// Golden figures on the real RavenStack sample: totals derived by hand from its CSV files, and
// the level counts and first at-risk rows pinned from the default rules.
// Skipped when ../shared/data/ravenstack is not beside the project (a plain clone); with CI=true
// that is a failure.

#include <filesystem>

#include "gtest/gtest.h"
#include "signals/signal_builder.h"
#include "testing/real_component.h"
#include "reports/summary.h"

namespace churn::reports {
namespace {

const std::string kRavenstack = std::string(CHURN_SOURCE_DIR) + "/../shared/data/ravenstack";

class RavenstackGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kRavenstack)) {
      CHURN_SKIP_UNLESS_CI("RavenStack sample not found at "
                           << kRavenstack
                           << "; golden checks need ../shared/data/ravenstack beside the project");
    }
  }
};

TEST_F(RavenstackGolden, ScoresEverySubscriptionWithTheKnownTotals) {
  absl::StatusOr<SignalSnapshot> snapshot = BuildSignalsFromFolder(kRavenstack, {});
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(dataset::FormatDate(*snapshot->usage_window_end), "2024-12-31");
  EXPECT_EQ(dataset::FormatDate(*snapshot->support_window_end), "2024-12-31");
  EXPECT_EQ(snapshot->report.of(dataset::Table::kFeatureUsage).rows, 25000);
  EXPECT_EQ(snapshot->report.of(dataset::Table::kSupportTickets).rows, 2000);
  // The sample's 21 duplicated usage_id values are reported, and every row is kept.
  bool duplicate_warning = false;
  for (const std::string& warning : snapshot->report.of(dataset::Table::kFeatureUsage).warnings) {
    duplicate_warning |= warning.rfind("21 duplicate usage_id values", 0) == 0;
  }
  EXPECT_TRUE(duplicate_warning);

  const std::map<std::string, int64_t> expected_reasons = {{"features", 114},  {"support", 104},
                                                           {"budget", 104},    {"unknown", 95},
                                                           {"competitor", 92}, {"pricing", 91}};
  EXPECT_EQ(snapshot->churn_reason_counts, expected_reasons);

  std::vector<ScoredCustomer> scored =
      ScoreAll(scoring::DefaultRuleSet(), std::move(snapshot->customers));
  ASSERT_EQ(scored.size(), 5000u);
  const ExecutiveSummary executive =
      SummarizeExecutive(scored, snapshot->usage_window_end, snapshot->support_window_end);
  EXPECT_EQ(executive.customers, 5000);
  EXPECT_DOUBLE_EQ(executive.total_arr, 136064964.0);
  EXPECT_DOUBLE_EQ(executive.average_arr, 136064964.0 / 5000);
  // Pinned from the default rules on this sample: any change to the scoring semantics or to the
  // loader shows here first.
  EXPECT_EQ(executive.high_risk_count, 4);
  EXPECT_EQ(executive.medium_risk_count, 730);
  EXPECT_EQ(executive.low_risk_count, 4266);
  struct Row {
    const char* customer_id;
    int risk_score;
    scoring::RiskLevel level;
    double arr;
  };
  using enum scoring::RiskLevel;
  const Row first_rows[] = {{"S-2940a5", 60, kHigh, 0},   {"S-66b994", 60, kHigh, 0},
                            {"S-bc7cab", 60, kHigh, 0},   {"S-be079b", 60, kHigh, 0},
                            {"S-e162d0", 56, kMedium, 0}, {"S-c5cfb0", 54, kMedium, 0},
                            {"S-d0c339", 54, kMedium, 0}, {"S-d11408", 54, kMedium, 0},
                            {"S-fdc127", 54, kMedium, 0}, {"S-2636a7", 52, kMedium, 152832}};
  for (size_t i = 0; i < std::size(first_rows); ++i) {
    SCOPED_TRACE(::testing::Message() << "at-risk row " << i + 1);
    EXPECT_EQ(scored[i].signals.customer_id, first_rows[i].customer_id);
    EXPECT_EQ(scored[i].assessment.risk_score, first_rows[i].risk_score);
    EXPECT_EQ(scored[i].assessment.risk_level, first_rows[i].level);
    EXPECT_DOUBLE_EQ(scored[i].signals.arr, first_rows[i].arr);
  }
  // The top row's reasons, in rule order.
  EXPECT_EQ(scored[0].assessment.top_reasons,
            "Usage dropped 100% (30d vs prior); Recent downgrade (value risk); Trial customer "
            "(activation risk)");
  // At-risk order holds across the whole list.
  for (size_t i = 1; i < scored.size(); ++i) {
    ASSERT_FALSE(scoring::AtRiskBefore(scored[i].assessment, scored[i].signals.arr,
                                       scored[i - 1].assessment, scored[i - 1].signals.arr))
        << "rows " << i - 1 << " and " << i << " out of order";
  }
}

}  // namespace
}  // namespace churn::reports
