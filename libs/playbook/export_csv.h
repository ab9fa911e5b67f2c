#pragma once
// CSV exports of the At-Risk list and of customer playbooks, safe to open in a spreadsheet
// (views/spreadsheet_csv.h: RFC 4180 quoting, formula-like cells neutralised).

#include <string>
#include <vector>

#include "playbook/outreach.h"
#include "reports/scored_customer.h"

namespace churn::playbook {

// The At-Risk list in the given order, with the columns of `churnctl score --format csv`.
std::string AtRiskCsv(const std::vector<const reports::ScoredCustomer*>& customers);

// One row per customer: identity, score, reasons, actions, the numbered checklist (one step
// per line inside the cell) and the outreach drafts.
std::string PlaybooksCsv(const std::vector<const reports::ScoredCustomer*>& customers,
                         const OutreachOptions& options = {});

}  // namespace churn::playbook
