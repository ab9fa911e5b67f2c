#pragma once
// Where a trained model may be backtested beside the rules: only on as-of dates on or after the
// date its training labels end (ModelMetadata::trained_through), or it would be graded on what it
// learned from. Both the rules and the model are evaluated on those dates, so they stay
// comparable. Used by `churnctl backtest --model` and by ingest's Backtest RPC.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backtest/backtest.h"
#include "churnmodel/churn_model.h"

namespace churn::churnmodel {

struct OutOfSampleWindow {
  backtest::BacktestOptions options;  // `from` moved to the first date kept
  std::vector<dataset::Day> dates;    // the as-of dates kept, ascending
  int64_t dropped = 0;                // earlier as-of dates left out for both
  std::string note;                   // BacktestReport::model_note
};

// FailedPrecondition when no as-of date of `options` is on or after trained_through.
absl::StatusOr<OutOfSampleWindow> OutOfSample(const ModelMetadata& model,
                                              backtest::BacktestOptions options);

}  // namespace churn::churnmodel
