// The trained model on planted demo data: walk-forward, it ranks churn at least as well as the
// rules on the same out-of-sample rows; on the null data (labels drawn at random) it finds
// nothing; its file round-trips; its opinion names the features that moved it.

#include "churnmodel/churn_model.h"

#include <unistd.h>

#include <filesystem>

#include "churnmodel/walk_forward.h"
#include "demodata/generator.h"
#include "gtest/gtest.h"
#include "scoring/rule_set.h"
#include "testing/scratch_dir.h"

namespace churn::churnmodel {
namespace {

dataset::Day D(const char* text) { return *dataset::ParseDate(text); }

std::string Generate(demodata::GeneratorMode mode, const std::string& name) {
  const std::string dir = (churn::testing::ProgramScratch() / name).string();
  demodata::GeneratorOptions options;
  options.mode = mode;
  options.accounts = 1500;
  options.history_days = 365;
  options.end_date = "2024-12-31";
  EXPECT_TRUE(demodata::GenerateDemoData(options, dir).ok());
  return dir;
}

TrainOptions Options() {
  TrainOptions options;
  // The first date with 90 days of history behind it (the data starts 2024-01-01), so the
  // long views are whole.
  options.from = D("2024-04-01");
  options.to = D("2024-10-01");
  options.step_days = 30;
  options.horizon_days = 60;
  options.params.rounds = 60;
  options.bootstrap.replicates = 200;
  return options;
}

absl::StatusOr<TrainResult> Train(const std::string& dir) {
  absl::StatusOr<dataset::DataFiles> files = dataset::FindDataFiles(dir);
  if (!files.ok()) return files.status();
  return TrainWalkForward(*files, scoring::DefaultRuleSet(), Options());
}

// One training on the planted data (training is the slow part), then every check of it.
TEST(ChurnModelTest, PlantedData) {
  const std::string dir = Generate(demodata::GeneratorMode::kPlanted, "planted");
  absl::StatusOr<TrainResult> trained = Train(dir);
  ASSERT_TRUE(trained.ok()) << trained.status();

  {
    SCOPED_TRACE("walk-forward: at least as good as the rules on the same rows");
    const backtest::BacktestReport& report = trained->walk_forward;
    ASSERT_TRUE(report.model);
    ASSERT_TRUE(report.rules.roc_auc && report.model->roc_auc && report.model->roc_auc_ci95);
    // Only dates with a closed training horizon are scored, and only dates whose own horizon
    // closed by the end of the data.
    ASSERT_FALSE(report.as_of_dates.empty());
    EXPECT_GE(report.as_of_dates.front(), D("2024-04-01") + 60);
    EXPECT_LE(report.as_of_dates.back() + 60, *report.data_end);
    EXPECT_GE(*report.model->roc_auc, *report.rules.roc_auc)
        << "model " << *report.model->roc_auc << ", rules " << *report.rules.roc_auc;
    EXPECT_GT(report.model->roc_auc_ci95->low, 0.5);
    // The model's flags are as many as the rules' High on each date.
    EXPECT_TRUE(report.model->precision_high);
  }

  const ChurnModel& model = trained->model;
  {
    SCOPED_TRACE("trained on dates whose horizon closed");
    const ModelMetadata& m = model.metadata();
    ASSERT_FALSE(m.training_dates.empty());
    ASSERT_TRUE(m.data_end);
    EXPECT_LE(m.training_dates.back() + m.horizon_days, *m.data_end);
    EXPECT_EQ(m.trained_through, m.training_dates.back() + m.horizon_days);
    EXPECT_GT(m.training_positives, 0);
    EXPECT_LT(m.training_positives, m.training_rows);
    EXPECT_TRUE(m.training_report.contains("walk_forward"));
  }

  SCOPED_TRACE("the model file round-trips");
  absl::StatusOr<std::string> text = model.ToJson();
  ASSERT_TRUE(text.ok()) << text.status();
  const churn::testing::ScratchDir scratch;
  const std::string path = (scratch / "model.json").string();
  ASSERT_TRUE(model.Save(path).ok());
  absl::StatusOr<ChurnModel> loaded = ChurnModel::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  absl::StatusOr<std::string> again = loaded->ToJson();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *text);  // the same bytes
  EXPECT_EQ(loaded->metadata().trained_through, model.metadata().trained_through);

  // The same probabilities, to the bit, on the customers of a training date.
  absl::StatusOr<dataset::DataFiles> files = dataset::FindDataFiles(dir);
  ASSERT_TRUE(files.ok());
  const dataset::Day day = model.metadata().training_dates.back();
  absl::StatusOr<SignalHistory> history =
      SignalHistory::Load(*files, {day}, {}, {.long_views = true});
  ASSERT_TRUE(history.ok());
  absl::StatusOr<PopulationSignals> population = history->SignalsAsOf(day);
  ASSERT_TRUE(population.ok());
  absl::StatusOr<std::vector<double>> before = model.Probabilities(population->customers);
  absl::StatusOr<std::vector<double>> after = loaded->Probabilities(population->customers);
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_EQ(*before, *after);

  // Opinions: a probability and up to three contributions with sentences, largest first.
  absl::StatusOr<std::vector<ModelOpinion>> opinions = loaded->Opinions(population->customers);
  ASSERT_TRUE(opinions.ok()) << opinions.status();
  ASSERT_EQ(opinions->size(), population->customers.size());
  size_t with_reasons = 0;
  for (size_t i = 0; i < opinions->size(); ++i) {
    const ModelOpinion& opinion = (*opinions)[i];
    EXPECT_DOUBLE_EQ(opinion.probability, (*before)[i]);
    EXPECT_LE(opinion.top.size(), 3u);
    for (size_t k = 1; k < opinion.top.size(); ++k) {
      EXPECT_GE(std::fabs(opinion.top[k - 1].contribution), std::fabs(opinion.top[k].contribution));
    }
    for (const FeatureContribution& c : opinion.top) EXPECT_FALSE(c.sentence.empty());
    with_reasons += opinion.top.empty() ? 0 : 1;
  }
  EXPECT_GT(with_reasons, 0u);

  // Another program's file, or one whose features differ from this build's, is refused.
  EXPECT_FALSE(ChurnModel::FromJson("{}").ok());
  EXPECT_FALSE(ChurnModel::FromJson("not json").ok());
  std::string renamed = *text;
  renamed.replace(renamed.find("\"usage_drop_pct\""), 16, "\"usage_fall_pct\"");
  EXPECT_FALSE(ChurnModel::FromJson(renamed).ok());
}

TEST(ChurnModelTest, NullDataFindsNothing) {
  absl::StatusOr<TrainResult> trained = Train(Generate(demodata::GeneratorMode::kNull, "null"));
  ASSERT_TRUE(trained.ok()) << trained.status();
  const backtest::BacktestReport& report = trained->walk_forward;
  ASSERT_TRUE(report.model && report.model->roc_auc_ci95);
  EXPECT_LT(report.model->roc_auc_ci95->low, 0.5) << *report.model->roc_auc;
  EXPECT_GT(report.model->roc_auc_ci95->high, 0.5) << *report.model->roc_auc;
}

TEST(ChurnModelTest, TooLittleHistory) {
  TrainOptions options = Options();
  options.from = D("2024-10-01");
  absl::StatusOr<dataset::DataFiles> files =
      dataset::FindDataFiles(Generate(demodata::GeneratorMode::kPlanted, "planted_short"));
  ASSERT_TRUE(files.ok());
  absl::StatusOr<TrainResult> trained =
      TrainWalkForward(*files, scoring::DefaultRuleSet(), options);
  EXPECT_EQ(trained.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace churn::churnmodel
