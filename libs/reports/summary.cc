#include "reports/summary.h"

#include <algorithm>

#include "scoring/rule_set.h"

namespace churn::reports {

using scoring::RiskLevel;

namespace {
double ShareOf(int64_t part, int64_t whole) {
  return whole == 0 ? 0 : static_cast<double>(part) / static_cast<double>(whole);
}
}  // namespace

ExecutiveSummary SummarizeExecutive(const std::vector<ScoredCustomer>& customers,
                                    std::optional<dataset::Day> usage_window_end,
                                    std::optional<dataset::Day> support_window_end) {
  ExecutiveSummary summary;
  summary.usage_window_end = usage_window_end;
  summary.support_window_end = support_window_end;
  summary.customers = static_cast<int64_t>(customers.size());
  for (const ScoredCustomer& customer : customers) {
    const double arr = customer.signals.arr;
    summary.total_arr += arr;
    if (customer.signals.churned) ++summary.churned_customers;
    switch (customer.assessment.risk_level) {
      case RiskLevel::kHigh:
        ++summary.high_risk_count;
        summary.arr_at_risk_high += arr;
        break;
      case RiskLevel::kMedium:
        ++summary.medium_risk_count;
        summary.arr_at_risk_medium += arr;
        break;
      case RiskLevel::kLow: ++summary.low_risk_count; break;
    }
  }
  summary.churn_rate = ShareOf(summary.churned_customers, summary.customers);
  summary.high_risk_share = ShareOf(summary.high_risk_count, summary.customers);
  summary.average_arr = summary.customers == 0 ? 0 : summary.total_arr / summary.customers;
  return summary;
}

DriversSummary SummarizeDrivers(const std::vector<ScoredCustomer>& customers,
                                const std::map<std::string, int64_t>& churn_reason_counts,
                                const std::map<std::string, std::string>& rule_labels) {
  std::map<std::string, SegmentRisk> tiers;
  std::map<std::string, int64_t> drivers;
  std::map<std::string, double> score_sums;
  for (const ScoredCustomer& customer : customers) {
    SegmentRisk& tier = tiers[customer.signals.plan_tier];
    tier.segment = customer.signals.plan_tier;
    ++tier.customers;
    score_sums[tier.segment] += customer.assessment.risk_score;
    switch (customer.assessment.risk_level) {
      case RiskLevel::kHigh: ++tier.high; break;
      case RiskLevel::kMedium: ++tier.medium; break;
      case RiskLevel::kLow: ++tier.low; break;
    }
    // Each fired rule contributes one reason, in order, so the top reasons are the first
    // reasons.size() fired rules.
    const auto& fired = customer.assessment.fired_rules;
    const size_t shown = std::min(fired.size(), customer.assessment.reasons.size());
    for (size_t i = 0; i < shown; ++i) ++drivers[fired[i].rule];
  }
  DriversSummary summary;
  for (auto& [name, tier] : tiers) {
    tier.mean_risk_score = score_sums[name] / static_cast<double>(tier.customers);
    summary.by_plan_tier.push_back(tier);
  }
  for (const auto& [rule, count] : drivers) {
    auto label = rule_labels.find(rule);
    summary.drivers.push_back(
        {rule, label != rule_labels.end() ? label->second : scoring::LabelFromRuleId(rule), count});
  }
  std::stable_sort(
      summary.drivers.begin(), summary.drivers.end(),
      [](const DriverCount& a, const DriverCount& b) { return a.customers > b.customers; });
  summary.churn_reasons.assign(churn_reason_counts.begin(), churn_reason_counts.end());
  std::stable_sort(summary.churn_reasons.begin(), summary.churn_reasons.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return summary;
}

}  // namespace churn::reports
