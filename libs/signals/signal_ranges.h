#pragma once
// The valid values of the signals (docs/PRODUCT.md "Signals"), checked in one place wherever
// signals, or the values behind them, enter: the data loader refuses a satisfaction score off the
// 1-5 scale (naming file, line and column) and the scoring RPCs refuse signals out of range
// (naming the field). The range constants are header-only, so libs/dataset, which libs/signals
// builds on, reads them without linking this library.

#include <string_view>

#include "absl/status/status.h"
#include "signals/customer_signals.h"

namespace churn::signals {

struct SignalRange {
  double min;
  double max;
  constexpr bool Contains(double value) const { return value >= min && value <= max; }
};

// The ticket satisfaction scale the rules read; anything else is a broken source, not a score.
inline constexpr SignalRange kSatisfactionScoreRange{1, 5};
// usage_drop_pct is a fraction of the prior usage.
inline constexpr SignalRange kUsageDropPctRange{0, 1};

// The first value of `signals` outside its range, as INVALID_ARGUMENT
// "<field_path>.<field>: <problem>" (e.g. "customers[3].usage_30d: must be >= 0, got -5");
// OK when every value is valid. `field_path` may be empty.
absl::Status CheckSignalRanges(const CustomerSignals& signals, std::string_view field_path);

}  // namespace churn::signals
