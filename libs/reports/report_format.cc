#include "reports/report_format.h"

#include <algorithm>
#include <functional>
#include <string>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "reports/spreadsheet_csv.h"

namespace churn::reports {
namespace {

using nlohmann::ordered_json;

std::string OptionalNumber(const std::optional<double>& value) {
  return value ? FormatNumber(*value) : std::string();
}

ordered_json OptionalJson(const std::optional<double>& value) {
  return value ? ordered_json(*value) : ordered_json(nullptr);
}

std::string OptionalDate(const std::optional<dataset::Day>& day) {
  return day ? dataset::FormatDate(*day) : std::string();
}

// The at-risk list columns, in output order; CSV and table output share this one list.
struct ListColumn {
  std::string_view name;
  bool numeric;
  std::function<std::string(const ScoredCustomer&)> text;
};

const std::vector<ListColumn>& ListColumns() {
  static const std::vector<ListColumn> columns = {
      {"customer_id", false, [](const ScoredCustomer& c) { return c.signals.customer_id; }},
      {"account_id", false, [](const ScoredCustomer& c) { return c.signals.account_id; }},
      {"account_name", false, [](const ScoredCustomer& c) { return c.signals.account_name; }},
      {"plan_tier", false, [](const ScoredCustomer& c) { return c.signals.plan_tier; }},
      {"arr", true, [](const ScoredCustomer& c) { return FormatNumber(c.signals.arr); }},
      {"churned", true,
       [](const ScoredCustomer& c) { return std::string(c.signals.churned ? "1" : "0"); }},
      {"risk_score", true,
       [](const ScoredCustomer& c) { return absl::StrCat(c.assessment.risk_score); }},
      {"risk_level", false,
       [](const ScoredCustomer& c) {
         return std::string(scoring::RiskLevelName(c.assessment.risk_level));
       }},
      {"top_reasons", false, [](const ScoredCustomer& c) { return c.assessment.top_reasons; }},
      {"recommended_actions", false,
       [](const ScoredCustomer& c) { return c.assessment.recommended_actions; }},
      {"usage_30d", true,
       [](const ScoredCustomer& c) { return absl::StrCat(c.signals.usage_30d); }},
      {"usage_prev30d", true,
       [](const ScoredCustomer& c) { return absl::StrCat(c.signals.usage_prev30d); }},
      {"usage_drop_pct", true,
       [](const ScoredCustomer& c) { return absl::StrFormat("%.4f", c.signals.usage_drop_pct); }},
      {"errors_30d", true,
       [](const ScoredCustomer& c) { return absl::StrCat(c.signals.errors_30d); }},
      {"tickets_30d", true,
       [](const ScoredCustomer& c) { return absl::StrCat(c.signals.tickets_30d); }},
      {"satisfaction_score", true,
       [](const ScoredCustomer& c) { return OptionalNumber(c.signals.satisfaction_score); }},
      {"escalation_flag", true,
       [](const ScoredCustomer& c) { return std::string(c.signals.escalation_flag ? "1" : "0"); }},
      {"churn_intent_30d", true,
       [](const ScoredCustomer& c) { return absl::StrCat(c.signals.churn_intent_30d); }},
      {"downgrade_flag", true,
       [](const ScoredCustomer& c) { return std::string(c.signals.downgrade_flag ? "1" : "0"); }},
      {"is_trial", true,
       [](const ScoredCustomer& c) { return std::string(c.signals.is_trial ? "1" : "0"); }},
  };
  return columns;
}

// Columns a person scans in a terminal; the full set is in CSV and JSON.
constexpr std::string_view kTableColumns[] = {"customer_id", "account_name", "plan_tier",  "arr",
                                              "risk_score",  "risk_level",   "top_reasons"};

void WriteTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  std::vector<size_t> widths(header.size());
  for (size_t i = 0; i < header.size(); ++i) widths[i] = header[i].size();
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  auto write_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out << line << "\n";
  };
  write_row(header);
  for (const auto& row : rows) write_row(row);
}

}  // namespace

absl::StatusOr<OutputFormat> ParseOutputFormat(std::string_view name) {
  const std::string lower = absl::AsciiStrToLower(std::string(name));
  if (lower == "csv") return OutputFormat::kCsv;
  if (lower == "json") return OutputFormat::kJson;
  if (lower == "table") return OutputFormat::kTable;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown format '", std::string(name), "': expected csv, json or table"));
}

ordered_json ToJson(const ScoredCustomer& customer) {
  const CustomerSignals& s = customer.signals;
  const scoring::Assessment& a = customer.assessment;
  ordered_json fired = ordered_json::array();
  for (const scoring::FiredRule& rule : a.fired_rules) {
    fired.push_back({{"rule", rule.rule},
                     {"tier", rule.tier},
                     {"points", rule.points},
                     {"reason", rule.reason}});
  }
  return ordered_json{
      {"customer_id", s.customer_id},
      {"account_id", s.account_id},
      {"account_name", s.account_name},
      {"industry", s.industry},
      {"country", s.country},
      {"plan_tier", s.plan_tier},
      {"arr", s.arr},
      {"churned", s.churned},
      {"risk_score", a.risk_score},
      {"risk_level", scoring::RiskLevelName(a.risk_level)},
      {"top_reasons", a.top_reasons},
      {"recommended_actions", a.recommended_actions},
      {"reasons", a.reasons},
      {"actions", a.actions},
      {"fired_rules", fired},
      {"usage_30d", s.usage_30d},
      {"usage_prev30d", s.usage_prev30d},
      {"usage_drop_pct", s.usage_drop_pct},
      {"errors_30d", s.errors_30d},
      {"tickets_30d", s.tickets_30d},
      {"satisfaction_score", OptionalJson(s.satisfaction_score)},
      {"escalation_flag", s.escalation_flag},
      {"avg_first_response_min", OptionalJson(s.avg_first_response_min)},
      {"avg_resolution_hours", OptionalJson(s.avg_resolution_hours)},
      {"churn_intent_30d", s.churn_intent_30d},
      {"downgrade_flag", s.downgrade_flag},
      {"is_trial", s.is_trial},
  };
}

ordered_json ToJson(const ExecutiveSummary& e) {
  return ordered_json{
      {"customers", e.customers},
      {"churned_customers", e.churned_customers},
      {"churn_rate", e.churn_rate},
      {"high_risk_count", e.high_risk_count},
      {"high_risk_share", e.high_risk_share},
      {"medium_risk_count", e.medium_risk_count},
      {"low_risk_count", e.low_risk_count},
      {"total_arr", e.total_arr},
      {"average_arr", e.average_arr},
      {"arr_at_risk_high", e.arr_at_risk_high},
      {"arr_at_risk_medium", e.arr_at_risk_medium},
      {"usage_window_end", OptionalDate(e.usage_window_end)},
      {"support_window_end", OptionalDate(e.support_window_end)},
  };
}

ordered_json ToJson(const DriversSummary& d) {
  ordered_json tiers = ordered_json::array();
  for (const SegmentRisk& tier : d.by_plan_tier) {
    tiers.push_back({{"plan_tier", tier.segment},
                     {"customers", tier.customers},
                     {"mean_risk_score", tier.mean_risk_score},
                     {"high", tier.high},
                     {"medium", tier.medium},
                     {"low", tier.low}});
  }
  ordered_json drivers = ordered_json::array();
  for (const DriverCount& driver : d.drivers) {
    drivers.push_back({{"rule", driver.rule}, {"customers", driver.customers}});
  }
  ordered_json reasons = ordered_json::array();
  for (const auto& [reason, count] : d.churn_reasons) {
    reasons.push_back({{"reason_code", reason}, {"churn_events", count}});
  }
  return ordered_json{
      {"risk_by_plan_tier", tiers}, {"drivers", drivers}, {"churn_reasons", reasons}};
}

void WriteAtRiskList(const std::vector<ScoredCustomer>& customers, size_t limit,
                     OutputFormat format, std::ostream& out) {
  const size_t count = limit == 0 ? customers.size() : std::min(limit, customers.size());
  const std::vector<ListColumn>& columns = ListColumns();
  switch (format) {
    case OutputFormat::kJson: {
      ordered_json list = ordered_json::array();
      for (size_t i = 0; i < count; ++i) list.push_back(ToJson(customers[i]));
      out << list.dump(2) << "\n";
      return;
    }
    case OutputFormat::kCsv: {
      std::vector<std::string> header;
      for (const ListColumn& column : columns) header.emplace_back(column.name);
      out << CsvRow(header);
      auto format_rows = [&customers, &columns](size_t begin, size_t end, std::string* text) {
        text->clear();
        std::vector<std::string> cells;
        for (size_t i = begin; i < end; ++i) {
          cells.clear();
          for (const ListColumn& column : columns) {
            std::string cell = column.text(customers[i]);
            cells.push_back(column.numeric ? std::move(cell) : SpreadsheetCsvField(cell));
          }
          text->append(CsvRow(cells));
        }
      };
      // Two blocks of rows are formatted at once (the second on its own thread), then written
      // in order: formatting is the longest step after scoring, and only two blocks of text
      // are ever held.
      constexpr size_t kBlockRows = 4096;
      std::string first_block, second_block;
      for (size_t begin = 0; begin < count; begin += 2 * kBlockRows) {
        const size_t middle = std::min(begin + kBlockRows, count);
        const size_t end = std::min(begin + 2 * kBlockRows, count);
        std::thread second;
        if (middle < end) {
          second = std::thread(format_rows, middle, end, &second_block);
        } else {
          second_block.clear();
        }
        format_rows(begin, middle, &first_block);
        if (second.joinable()) second.join();
        out << first_block << second_block;
      }
      return;
    }
    case OutputFormat::kTable: {
      std::vector<const ListColumn*> shown;
      for (std::string_view name : kTableColumns) {
        for (const ListColumn& column : columns) {
          if (column.name == name) shown.push_back(&column);
        }
      }
      std::vector<std::string> header = {"#"};
      for (const ListColumn* column : shown) header.emplace_back(column->name);
      std::vector<std::vector<std::string>> rows;
      for (size_t i = 0; i < count; ++i) {
        std::vector<std::string> row = {absl::StrCat(i + 1)};
        for (const ListColumn* column : shown) row.push_back(column->text(customers[i]));
        rows.push_back(std::move(row));
      }
      WriteTable(header, rows, out);
      return;
    }
  }
}

void WriteSummary(const ExecutiveSummary& executive, const DriversSummary& drivers,
                  OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << ordered_json{{"executive", ToJson(executive)}, {"drivers", ToJson(drivers)}}.dump(2)
        << "\n";
    return;
  }
  if (format == OutputFormat::kCsv) {
    // One metric per row keeps the summary a single rectangular table.
    out << "section,name,value\n";
    for (const auto& [key, value] : ToJson(executive).items()) {
      out << CsvRow(
          {"executive", SpreadsheetCsvField(key),
           SpreadsheetCsvField(value.is_string() ? value.get<std::string>() : value.dump())});
    }
    for (const SegmentRisk& tier : drivers.by_plan_tier) {
      out << CsvRow({"mean_risk_by_plan_tier", SpreadsheetCsvField(tier.segment),
                     FormatNumber(tier.mean_risk_score)});
    }
    for (const DriverCount& driver : drivers.drivers) {
      out << CsvRow(
          {"driver_customers", SpreadsheetCsvField(driver.rule), absl::StrCat(driver.customers)});
    }
    for (const auto& [reason, count] : drivers.churn_reasons) {
      out << CsvRow({"churn_reason_events", SpreadsheetCsvField(reason), absl::StrCat(count)});
    }
    return;
  }
  out << "Executive\n";
  out << absl::StrFormat("  customers            %d\n", executive.customers);
  out << absl::StrFormat("  churn rate           %.1f%% (%d churned)\n", 100 * executive.churn_rate,
                         executive.churned_customers);
  out << absl::StrFormat("  high risk            %d (%.1f%%)\n", executive.high_risk_count,
                         100 * executive.high_risk_share);
  out << absl::StrFormat("  medium / low risk    %d / %d\n", executive.medium_risk_count,
                         executive.low_risk_count);
  out << absl::StrFormat("  total ARR            %.0f\n", executive.total_arr);
  out << absl::StrFormat("  average ARR          %.2f\n", executive.average_arr);
  out << absl::StrFormat("  ARR at risk (High)   %.0f\n", executive.arr_at_risk_high);
  out << absl::StrFormat("  ARR at risk (Medium) %.0f\n", executive.arr_at_risk_medium);
  out << "  usage window end     " << OptionalDate(executive.usage_window_end) << "\n";
  out << "  support window end   " << OptionalDate(executive.support_window_end) << "\n";
  out << "\nMean risk by plan tier\n";
  for (const SegmentRisk& tier : drivers.by_plan_tier) {
    out << absl::StrFormat("  %-12s %6.2f  (%d customers: %d High, %d Medium, %d Low)\n",
                           tier.segment, tier.mean_risk_score, tier.customers, tier.high,
                           tier.medium, tier.low);
  }
  out << "\nDrivers (customers with the rule among their top reasons)\n";
  for (const DriverCount& driver : drivers.drivers) {
    out << absl::StrFormat("  %-16s %d\n", driver.rule, driver.customers);
  }
  out << "\nChurn reasons (churn events)\n";
  for (const auto& [reason, count] : drivers.churn_reasons) {
    out << absl::StrFormat("  %-16s %d\n", reason, count);
  }
}

void WriteCustomerBrief(const ScoredCustomer& customer, OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kJson) {
    out << ToJson(customer).dump(2) << "\n";
    return;
  }
  const CustomerSignals& s = customer.signals;
  const scoring::Assessment& a = customer.assessment;
  out << "Customer " << s.customer_id << " (account " << s.account_id << ", " << s.account_name
      << ")\n";
  out << "  plan " << s.plan_tier << ", ARR " << FormatNumber(s.arr) << ", churned "
      << (s.churned ? "yes" : "no") << "\n";
  out << "  risk " << a.risk_score << " (" << scoring::RiskLevelName(a.risk_level) << ")\n";
  out << "\nSignals\n";
  out << "  usage_30d " << s.usage_30d << ", usage_prev30d " << s.usage_prev30d
      << ", usage_drop_pct " << absl::StrFormat("%.4f", s.usage_drop_pct) << "\n";
  out << "  errors_30d " << s.errors_30d << ", tickets_30d " << s.tickets_30d
      << ", satisfaction_score "
      << (s.satisfaction_score ? FormatNumber(*s.satisfaction_score) : std::string("absent"))
      << ", escalation_flag " << s.escalation_flag << "\n";
  out << "  churn_intent_30d " << s.churn_intent_30d << ", downgrade_flag " << s.downgrade_flag
      << ", is_trial " << s.is_trial << "\n";
  out << "\nFired rules\n";
  if (a.fired_rules.empty()) out << "  (none)\n";
  for (const scoring::FiredRule& rule : a.fired_rules) {
    out << absl::StrFormat("  +%-3d %s/%s: %s\n", rule.points, rule.rule.str(), rule.tier.str(),
                           rule.reason.str());
  }
  out << "\nWhy at risk: " << (a.top_reasons.empty() ? "(no risk signals)" : a.top_reasons.str())
      << "\n";
  out << "Recommended actions: " << a.recommended_actions << "\n";
}

}  // namespace churn::reports
