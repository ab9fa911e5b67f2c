#include "dataset/dataset.h"

#include <utility>

namespace churn::dataset {

void SwapTable(Table table, Dataset& a, Dataset& b) {
  using std::swap;
  switch (table) {
    case Table::kAccounts:
      swap(a.accounts, b.accounts);
      swap(a.account_index, b.account_index);
      break;
    case Table::kSubscriptions:
      swap(a.subscriptions, b.subscriptions);
      swap(a.subscription_index, b.subscription_index);
      break;
    case Table::kFeatureUsage:  // the rows themselves went to a UsageSink
      swap(a.latest_usage_day, b.latest_usage_day);
      break;
    case Table::kChurnEvents: swap(a.churn_events, b.churn_events); break;
    case Table::kSupportTickets:
      swap(a.tickets, b.tickets);
      swap(a.latest_ticket_day, b.latest_ticket_day);
      break;
  }
  swap(a.report.of(table), b.report.of(table));
}

}  // namespace churn::dataset
