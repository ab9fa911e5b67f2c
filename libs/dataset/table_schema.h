#pragma once
// The five input tables: which columns each must have and which it may have.

#include <string_view>
#include <vector>

namespace churn::dataset {

enum class Table { kAccounts, kSubscriptions, kFeatureUsage, kChurnEvents, kSupportTickets };
inline constexpr Table kAllTables[] = {Table::kAccounts, Table::kSubscriptions,
                                       Table::kFeatureUsage, Table::kChurnEvents,
                                       Table::kSupportTickets};

enum class ColumnType { kText, kId, kDate, kBool, kCount, kNumber };

struct ColumnSpec {
  std::string_view name;
  ColumnType type;
  bool required;   // missing from the header -> the table cannot be loaded
  bool nullable;   // a blank value is allowed (optional signal, e.g. satisfaction_score)
};

struct TableSchema {
  Table table;
  std::string_view name;         // "feature_usage"
  std::string_view file_suffix;  // files are found as "*<suffix>.csv"
  std::vector<ColumnSpec> columns;
};

const TableSchema& SchemaOf(Table table);
std::string_view ColumnTypeExpectation(ColumnType type);  // "a date YYYY-MM-DD[ HH:MM:SS]"

}  // namespace churn::dataset
