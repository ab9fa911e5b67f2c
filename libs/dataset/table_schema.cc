#include "dataset/table_schema.h"

namespace churn::dataset {
namespace {

using T = ColumnType;

// Required = the columns the signals are computed from; the rest of the RavenStack columns are
// read when present. Columns not listed here are ignored.
const TableSchema kSchemas[] = {
    {Table::kAccounts,
     "accounts",
     "accounts",
     {{"account_id", T::kId, true, false},
      {"account_name", T::kText, true, true},
      {"industry", T::kText, false, true},
      {"country", T::kText, false, true},
      {"plan_tier", T::kText, false, true}}},
    {Table::kSubscriptions,
     "subscriptions",
     "subscriptions",
     {{"subscription_id", T::kId, true, false},
      {"account_id", T::kId, true, false},
      {"plan_tier", T::kText, true, true},
      {"arr_amount", T::kNumber, true, false},
      {"is_trial", T::kBool, true, false},
      {"downgrade_flag", T::kBool, true, false},
      {"start_date", T::kDate, false, true},
      {"end_date", T::kDate, false, true},
      {"seats", T::kCount, false, true},
      {"billing_frequency", T::kText, false, true},
      {"auto_renew_flag", T::kBool, false, true}}},
    {Table::kFeatureUsage,
     "feature_usage",
     "feature_usage",
     {{"usage_id", T::kId, false, true},
      {"subscription_id", T::kId, true, false},
      {"usage_date", T::kDate, true, false},
      {"usage_count", T::kCount, true, false},
      {"error_count", T::kCount, true, false}}},
    {Table::kChurnEvents,
     "churn_events",
     "churn_events",
     {{"churn_event_id", T::kId, false, true},
      {"account_id", T::kId, true, false},
      {"churn_date", T::kDate, true, true},
      {"reason_code", T::kText, true, true}}},
    {Table::kSupportTickets,
     "support_tickets",
     "support_tickets",
     {{"ticket_id", T::kId, false, true},
      {"account_id", T::kId, true, false},
      {"submitted_at", T::kDate, true, false},
      {"satisfaction_score", T::kNumber, true, true},
      {"escalation_flag", T::kBool, true, false},
      {"first_response_time_minutes", T::kNumber, false, true},
      {"resolution_time_hours", T::kNumber, false, true}}},
};

}  // namespace

const TableSchema& SchemaOf(Table table) { return kSchemas[static_cast<int>(table)]; }

std::string_view ColumnTypeExpectation(ColumnType type) {
  switch (type) {
    case T::kText: return "text";
    case T::kId: return "a non-empty id";
    case T::kDate: return "a date YYYY-MM-DD[ HH:MM:SS]";
    case T::kBool: return "a boolean (True/False/true/false/1/0/yes/no)";
    case T::kCount: return "a whole number";
    case T::kNumber: return "a finite number";
  }
  return "a value";
}

}  // namespace churn::dataset
