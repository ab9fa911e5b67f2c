#include "churnmodel/out_of_sample.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "status/status_macros.h"

namespace churn::churnmodel {

absl::StatusOr<OutOfSampleWindow> OutOfSample(const ModelMetadata& model,
                                              backtest::BacktestOptions options) {
  const dataset::Day trained_through = model.trained_through;
  CHURN_ASSIGN_OR_RETURN(std::vector<dataset::Day> dates, backtest::AsOfDates(options));
  const auto first = std::find_if(dates.begin(), dates.end(),
                                  [&](dataset::Day day) { return day >= trained_through; });
  if (first == dates.end()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the model learned from labels up to ", dataset::FormatDate(trained_through),
        " (its last training date + its horizon): no as-of date from ",
        dataset::FormatDate(options.from), " to ", dataset::FormatDate(options.to),
        " is on or after it, so it cannot be evaluated out of sample here; choose a later "
        "start or train with an earlier end"));
  }
  OutOfSampleWindow window;
  window.dropped = first - dates.begin();
  window.dates.assign(first, dates.end());
  options.from = *first;
  window.note = absl::StrCat(
      "Out of sample: the model learned from labels up to ", dataset::FormatDate(trained_through),
      "; rules and model are both evaluated on the ", window.dates.size(), " as-of dates from ",
      dataset::FormatDate(*first),
      window.dropped > 0
          ? absl::StrCat(" (earlier as-of dates left out for both: ", window.dropped, ")")
          : "",
      ".");
  if (model.horizon_days != options.horizon_days) {
    absl::StrAppend(&window.note, " The model was trained for a ", model.horizon_days,
                    "-day horizon, evaluated here on ", options.horizon_days, " days.");
  }
  window.options = std::move(options);
  return window;
}

}  // namespace churn::churnmodel
