#pragma once
// Rendering of the at-risk list, the summaries and a customer brief as CSV, JSON or a table.

#include <ostream>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "reports/scored_customer.h"
#include "reports/summary.h"

namespace churn::reports {

enum class OutputFormat { kCsv, kJson, kTable };
absl::StatusOr<OutputFormat> ParseOutputFormat(std::string_view name);

// The at-risk list: the first `limit` customers (0 = all).
void WriteAtRiskList(const std::vector<ScoredCustomer>& customers, size_t limit,
                     OutputFormat format, std::ostream& out);

void WriteSummary(const ExecutiveSummary& executive, const DriversSummary& drivers,
                  OutputFormat format, std::ostream& out);

// Every signal, every fired rule with its points, the reasons and the actions.
void WriteCustomerBrief(const ScoredCustomer& customer, OutputFormat format, std::ostream& out);

nlohmann::ordered_json ToJson(const ScoredCustomer& customer);
nlohmann::ordered_json ToJson(const ExecutiveSummary& executive);
nlohmann::ordered_json ToJson(const DriversSummary& drivers);

}  // namespace churn::reports
