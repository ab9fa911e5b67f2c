// Where a trained model may be backtested: only on as-of dates on or after its training labels'
// end, for the rules too, with a note that says which and why.

#include "churnmodel/out_of_sample.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace churn::churnmodel {
namespace {

using ::testing::HasSubstr;

dataset::Day D(const char* text) { return *dataset::ParseDate(text); }

backtest::BacktestOptions Window(const char* from, const char* to, int horizon) {
  backtest::BacktestOptions options;
  options.from = D(from);
  options.to = D(to);
  options.step_days = 30;
  options.horizon_days = horizon;
  return options;
}

TEST(OutOfSample, KeepsTheDatesOnOrAfterTrainedThroughForBoth) {
  ModelMetadata model;
  model.trained_through = D("2024-03-01");
  model.horizon_days = 90;
  auto window = OutOfSample(model, Window("2024-01-01", "2024-05-30", 90));
  ASSERT_TRUE(window.ok()) << window.status();
  // 01-01, 01-31, 03-01, 03-31, 04-30, 05-30: the first two are within the training labels.
  EXPECT_EQ(window->dropped, 2);
  ASSERT_EQ(window->dates.size(), 4u);
  EXPECT_EQ(window->dates.front(), D("2024-03-01"));
  EXPECT_EQ(window->options.from, D("2024-03-01"));
  EXPECT_EQ(window->options.to, D("2024-05-30"));
  EXPECT_THAT(window->note, HasSubstr("Out of sample"));
  EXPECT_THAT(window->note, HasSubstr("earlier as-of dates left out for both: 2"));
  EXPECT_THAT(window->note, ::testing::Not(HasSubstr("horizon")));
}

TEST(OutOfSample, SaysWhenTheHorizonsDiffer) {
  ModelMetadata model;
  model.trained_through = D("2024-01-01");
  model.horizon_days = 60;
  auto window = OutOfSample(model, Window("2024-01-01", "2024-03-01", 90));
  ASSERT_TRUE(window.ok()) << window.status();
  EXPECT_EQ(window->dropped, 0);
  EXPECT_THAT(window->note, HasSubstr("trained for a 60-day horizon, evaluated here on 90 days"));
}

TEST(OutOfSample, RefusesAWindowInsideTheTrainingLabels) {
  ModelMetadata model;
  model.trained_through = D("2024-12-01");
  auto window = OutOfSample(model, Window("2024-01-01", "2024-06-01", 90));
  EXPECT_EQ(window.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(window.status().message(), HasSubstr("cannot be evaluated out of sample"));
}

}  // namespace
}  // namespace churn::churnmodel
