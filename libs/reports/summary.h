#pragma once
// The Executive and Drivers figures (docs/PRODUCT.md "Views"), from a scored customer list.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dataset/value_parsers.h"
#include "reports/scored_customer.h"

namespace churn::reports {

struct ExecutiveSummary {
  int64_t customers = 0;
  int64_t churned_customers = 0;
  double churn_rate = 0;  // share of customers with the churned label
  int64_t high_risk_count = 0;
  int64_t medium_risk_count = 0;
  int64_t low_risk_count = 0;
  double high_risk_share = 0;
  double total_arr = 0;
  double average_arr = 0;
  double arr_at_risk_high = 0;
  double arr_at_risk_medium = 0;
  std::optional<dataset::Day> usage_window_end;
  std::optional<dataset::Day> support_window_end;
};

struct SegmentRisk {
  std::string segment;
  int64_t customers = 0;
  double mean_risk_score = 0;
  int64_t high = 0;
  int64_t medium = 0;
  int64_t low = 0;
};

struct DriverCount {
  std::string rule;       // rule id, e.g. "usage_drop"
  std::string label;      // the rule's label from the rules file, e.g. "Usage drop"
  int64_t customers = 0;  // customers for whom it is among the top reasons
};

struct DriversSummary {
  std::vector<SegmentRisk> by_plan_tier;                       // sorted by plan tier name
  std::vector<DriverCount> drivers;                            // most frequent first, then rule id
  std::vector<std::pair<std::string, int64_t>> churn_reasons;  // most frequent first
};

ExecutiveSummary SummarizeExecutive(const std::vector<ScoredCustomer>& customers,
                                    std::optional<dataset::Day> usage_window_end,
                                    std::optional<dataset::Day> support_window_end);

// `rule_labels`: rule id -> label of the rules the customers were scored with
// (scoring::RuleLabels); a rule missing there is named by scoring::LabelFromRuleId.
DriversSummary SummarizeDrivers(const std::vector<ScoredCustomer>& customers,
                                const std::map<std::string, int64_t>& churn_reason_counts,
                                const std::map<std::string, std::string>& rule_labels = {});

}  // namespace churn::reports
