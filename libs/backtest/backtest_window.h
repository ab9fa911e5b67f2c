#pragma once
// Which as-of dates a backtest covers when the caller names none: the last year of the
// data whose labels are complete. A label needs `horizon` days after its as-of date, so
// the last date is the data's end minus the horizon, and the first a whole number of
// steps (at most a year) before it.

#include <optional>

#include "absl/status/statusor.h"
#include "dataset/value_parsers.h"

namespace churn::backtest {

struct BacktestWindow {
  dataset::Day from = 0;
  dataset::Day to = 0;
  int step_days = 30;
  int horizon_days = 90;
};

inline constexpr int kDefaultStepDays = 30;
inline constexpr int kDefaultHorizonDays = 90;
inline constexpr int kDefaultSpanDays = 365;
// Each as-of date scores the whole population: a service caps the work of one request.
inline constexpr int kMaxAsOfDates = 60;

// Fills what `requested` leaves open (from/to absent, step/horizon 0) from `data_end`.
// InvalidArgument for a negative step or horizon, a window ending before it starts, or
// a data set without dates when a date must be derived, or more than kMaxAsOfDates dates.
absl::StatusOr<BacktestWindow> ResolveBacktestWindow(std::optional<dataset::Day> from,
                                                     std::optional<dataset::Day> to, int step_days,
                                                     int horizon_days,
                                                     std::optional<dataset::Day> data_end);

}  // namespace churn::backtest
