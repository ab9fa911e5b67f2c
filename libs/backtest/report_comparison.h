#pragma once
// How the backtest of candidate rules differs from that of the rules in force: the
// analyst's what-if, before an admin applies the candidate. Every figure is given for
// both rule sets with the change (candidate - current), undefined where either is.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backtest/backtest.h"
#include "nlohmann/json.hpp"

namespace churn::backtest {

struct MetricChange {
  std::string metric;  // "precision_high", "lift_at_k/5%", ...
  std::optional<double> current, candidate, change;
};

// A rule (or "rule/tier") of either rule set; a rule only one set has counts 0 fired in
// the other.
struct RuleFiringChange {
  std::string rule;
  int64_t fired_current = 0, fired_candidate = 0;
  std::optional<double> lift_current, lift_candidate, lift_change;
  std::optional<double> churn_rate_current, churn_rate_candidate;
};

struct ReportComparison {
  std::vector<MetricChange> metrics;
  std::vector<RuleFiringChange> rules;
  // Both reports cover the same rows (same data and as-of dates): otherwise the changes
  // mix a change of rules with a change of population.
  bool same_rows = false;
};

ReportComparison CompareReports(const BacktestReport& current, const BacktestReport& candidate);

// {same_rows, metrics: [{metric, current, candidate, change}], rules: [{rule, fired_current,
// fired_candidate, churn_rate_current, churn_rate_candidate, lift_current, lift_candidate,
// lift_change}]}; undefined values are null.
nlohmann::ordered_json ToJson(const ReportComparison& comparison);

}  // namespace churn::backtest
