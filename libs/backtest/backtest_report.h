#pragma once
// A backtest report as JSON (the keys other tools read) or as a plain-text
// table.

#include <ostream>

#include "backtest/backtest.h"
#include "nlohmann/json.hpp"

namespace churn::backtest {

// {base_rate, informative, informative_text, ..., rules: {roc_auc,
// roc_auc_ci95: [lo, hi], pr_auc, ..., precision_at_k, lift_at_k,
// lead_time_days}, model: (the same keys, or null without a model), model_note,
// rule_firing, calibration}. Undefined metrics are null.
nlohmann::ordered_json ToJson(const BacktestReport& report);

void WriteTable(const BacktestReport& report, std::ostream& out);

}  // namespace churn::backtest
