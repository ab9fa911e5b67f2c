#include "backtest/backtest_window.h"

#include "absl/strings/str_cat.h"

namespace churn::backtest {

absl::StatusOr<BacktestWindow> ResolveBacktestWindow(std::optional<dataset::Day> from,
                                                     std::optional<dataset::Day> to, int step_days,
                                                     int horizon_days,
                                                     std::optional<dataset::Day> data_end) {
  if (step_days < 0 || horizon_days < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("step_days and horizon_days must be >= 0 (0 = default), got ", step_days,
                     " and ", horizon_days));
  }
  BacktestWindow window;
  window.step_days = step_days > 0 ? step_days : kDefaultStepDays;
  window.horizon_days = horizon_days > 0 ? horizon_days : kDefaultHorizonDays;
  if (!to) {
    if (!data_end) {
      return absl::FailedPreconditionError(
          "the data has no usage or ticket dates, so the backtest window must be given (from, "
          "to)");
    }
    to = *data_end - window.horizon_days;
  }
  if (!from) from = *to - (kDefaultSpanDays / window.step_days) * window.step_days;
  if (*to < *from) {
    return absl::InvalidArgumentError(absl::StrCat(
        "to (", dataset::FormatDate(*to), ") is before from (", dataset::FormatDate(*from), ")"));
  }
  if ((*to - *from) / window.step_days + 1 > kMaxAsOfDates) {
    return absl::InvalidArgumentError(
        absl::StrCat("from ", dataset::FormatDate(*from), " to ", dataset::FormatDate(*to),
                     " every ", window.step_days, " days is more than ", kMaxAsOfDates,
                     " as-of dates; take a larger step or a shorter span"));
  }
  window.from = *from;
  window.to = *to;
  return window;
}

}  // namespace churn::backtest
