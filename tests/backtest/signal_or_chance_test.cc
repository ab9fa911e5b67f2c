// The backtest finds signal where it was planted and none where there is none: planted demo
// data, the same data with its churn labels reassigned at random, and the RavenStack sample.

#include <unistd.h>

#include <filesystem>

#include "backtest/backtest.h"
#include "demodata/generator.h"
#include "gtest/gtest.h"
#include "testing/real_component.h"
#include "testing/scratch_dir.h"

namespace churn::backtest {
namespace {

dataset::Day D(const char* text) { return *dataset::ParseDate(text); }

BacktestReport Backtest(const std::string& dir, const char* from, const char* to) {
  absl::StatusOr<dataset::DataFiles> files = dataset::FindDataFiles(dir);
  EXPECT_TRUE(files.ok()) << files.status();
  BacktestOptions options;
  options.from = D(from);
  options.to = D(to);
  options.bootstrap.replicates = 300;
  absl::StatusOr<BacktestReport> report = RunBacktest(*files, scoring::DefaultRuleSet(), options);
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *report : BacktestReport{};
}

std::string Generate(demodata::GeneratorMode mode, const std::string& name) {
  const std::string dir = (churn::testing::ProgramScratch() / name).string();
  demodata::GeneratorOptions options;
  options.mode = mode;
  options.accounts = 2000;
  options.history_days = 365;
  options.end_date = "2024-12-31";
  EXPECT_TRUE(demodata::GenerateDemoData(options, dir).ok());
  return dir;
}

TEST(SignalOrChanceTest, PlantedDataIsInformative) {
  const BacktestReport report =
      Backtest(Generate(demodata::GeneratorMode::kPlanted, "planted"), "2024-02-01", "2024-10-01");
  ASSERT_TRUE(report.rules.roc_auc && report.rules.roc_auc_ci95);
  EXPECT_GT(*report.rules.roc_auc, 0.7);
  EXPECT_GT(report.rules.roc_auc_ci95->low, 0.65);
  EXPECT_TRUE(report.informative) << report.informative_text;
  // The planted churners turn High ahead of their churn, and High is rarely wrong.
  EXPECT_GT(*report.rules.precision_high, 0.8);
  EXPECT_GT(report.rules.lead_time.caught_high, report.rules.lead_time.churned_customers / 3);
}

TEST(SignalOrChanceTest, NullDataIsNotInformative) {
  const BacktestReport report =
      Backtest(Generate(demodata::GeneratorMode::kNull, "null"), "2024-02-01", "2024-10-01");
  ASSERT_TRUE(report.rules.roc_auc_ci95);
  EXPECT_GT(report.positives, 100);  // labels exist: there is just nothing to find
  EXPECT_FALSE(report.informative) << *report.rules.roc_auc;
  EXPECT_NE(report.informative_text.find("do not predict churn"), std::string::npos);
}

TEST(SignalOrChanceTest, RavenstackSampleIsNotInformative) {
  const std::string dir = std::string(CHURN_SOURCE_DIR) + "/../shared/data/ravenstack";
  if (!std::filesystem::is_directory(dir)) {
    CHURN_SKIP_UNLESS_CI("the RavenStack sample is not at " << dir);
  }
  const BacktestReport report = Backtest(dir, "2023-03-01", "2024-10-01");
  ASSERT_TRUE(report.rules.roc_auc_ci95);
  EXPECT_GT(report.positives, 100);
  EXPECT_FALSE(report.informative) << *report.rules.roc_auc;
}

}  // namespace
}  // namespace churn::backtest
