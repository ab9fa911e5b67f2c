#pragma once
// The valid values of the signals (docs/PRODUCT.md "Signals"), checked in one place wherever
// signals, or the values behind them, enter: the data loader refuses a satisfaction score off the
// 1-5 scale (naming file, line and column) and the scoring RPCs refuse signals out of range
// (naming the field). The satisfaction scale is the source tables' own (libs/dataset).

#include <string_view>

#include "absl/status/status.h"
#include "dataset/value_range.h"
#include "signals/customer_signals.h"

namespace churn::signals {

using SignalRange = dataset::ValueRange;

inline constexpr SignalRange kSatisfactionScoreRange = dataset::kSatisfactionScoreRange;
// usage_drop_pct is a fraction of the prior usage.
inline constexpr SignalRange kUsageDropPctRange{0, 1};

// The first value of `signals` outside its range, as INVALID_ARGUMENT
// "<field_path>.<field>: <problem>" (e.g. "customers[3].usage_30d: must be >= 0, got -5");
// OK when every value is valid. `field_path` may be empty.
absl::Status CheckSignalRanges(const CustomerSignals& signals, std::string_view field_path);

}  // namespace churn::signals
