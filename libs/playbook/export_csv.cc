#include "playbook/export_csv.h"

#include <sstream>

#include "absl/strings/str_cat.h"
#include "playbook/checklist.h"
#include "reports/report_format.h"
#include "reports/spreadsheet_csv.h"

namespace churn::playbook {

std::string AtRiskCsv(const std::vector<const reports::ScoredCustomer*>& customers) {
  // One column definition for every CSV of the list: the views library's.
  std::vector<reports::ScoredCustomer> rows;
  rows.reserve(customers.size());
  for (const reports::ScoredCustomer* customer : customers) rows.push_back(*customer);
  std::ostringstream out;
  reports::WriteAtRiskList(rows, 0, reports::OutputFormat::kCsv, out);
  return out.str();
}

std::string PlaybooksCsv(const std::vector<const reports::ScoredCustomer*>& customers,
                         const OutreachOptions& options) {
  using reports::SpreadsheetCsvField;
  std::string csv = reports::CsvRow(
      {"customer_id", "account_name", "plan_tier", "arr", "risk_score", "risk_level", "top_reasons",
       "recommended_actions", "checklist", "email_subject", "email_body", "slack_message"});
  for (const reports::ScoredCustomer* customer : customers) {
    std::string checklist;
    for (const ChecklistStep& step : BuildChecklist(*customer)) {
      absl::StrAppend(&checklist, checklist.empty() ? "" : "\n", step.step, ". ", step.title,
                      " (due in ", step.due_in_days, " days)");
    }
    const OutreachDraft draft = BuildOutreach(*customer, options);
    const scoring::Assessment& a = customer->assessment;
    absl::StrAppend(
        &csv,
        reports::CsvRow(
            {SpreadsheetCsvField(customer->signals.customer_id),
             SpreadsheetCsvField(customer->signals.account_name),
             SpreadsheetCsvField(customer->signals.plan_tier),
             reports::CsvNumber(customer->signals.arr), absl::StrCat(a.risk_score),
             SpreadsheetCsvField(scoring::RiskLevelName(a.risk_level)),
             SpreadsheetCsvField(a.top_reasons), SpreadsheetCsvField(a.recommended_actions),
             SpreadsheetCsvField(checklist), SpreadsheetCsvField(draft.email_subject),
             SpreadsheetCsvField(draft.email_body), SpreadsheetCsvField(draft.slack_message)}));
  }
  return csv;
}

}  // namespace churn::playbook
