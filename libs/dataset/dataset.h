#pragma once
// The SaaS data set in memory: everything except usage rows, which are streamed to a sink
// so memory grows with customers, not with events.

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "dataset/table_schema.h"
#include "dataset/value_parsers.h"

namespace churn::dataset {

inline constexpr int32_t kNoIndex = -1;

// Id -> row index, looked up with std::string_view keys straight from the CSV buffer
// (transparent hash, so no temporary std::string per lookup).
struct IdHash {
  using is_transparent = void;
  size_t operator()(std::string_view id) const { return absl::HashOf(id); }
};
struct IdEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};
using IdIndex = absl::flat_hash_map<std::string, int32_t, IdHash, IdEq>;  // an orphan key: the referenced row does not exist

struct Account {
  std::string account_id;
  std::string account_name;
  std::string industry;
  std::string country;
};

struct Subscription {
  std::string subscription_id;
  std::string account_id;
  int32_t account_index = kNoIndex;
  std::string plan_tier;
  double arr = 0;
  bool is_trial = false;
  bool downgrade_flag = false;
  std::optional<Day> start_day;  // blank or missing column: unknown (treated as always started)
  std::optional<Day> end_day;    // blank: still active
  // Read when present (the trained model's longer views); blank or missing: unknown.
  std::optional<int64_t> seats;
  std::string billing_frequency;  // "monthly", "annual", ... as written
  std::optional<bool> auto_renew;
};

struct ChurnEvent {
  int32_t account_index = kNoIndex;
  std::optional<Day> churn_date;
  std::string reason_code;
};

struct SupportTicket {
  int32_t account_index = kNoIndex;
  Day submitted = 0;
  std::optional<double> satisfaction_score;
  std::optional<double> first_response_minutes;
  std::optional<double> resolution_hours;
  bool escalated = false;
};

// One usage row, as handed to a UsageSink.
struct UsageRecord {
  int32_t subscription_index = kNoIndex;
  Day day = 0;
  int64_t usage_count = 0;
  int64_t error_count = 0;
};

class UsageSink {
 public:
  virtual ~UsageSink() = default;
  // Called once per usage row whose subscription exists, in file order (within a part).
  virtual void Add(const UsageRecord& record) = 0;
  // For loading the usage table on several threads: an empty sink of the same kind that takes
  // the rows of one part of the file, merged back with MergePart in file order. A sink that
  // needs every row in file order returns nullptr (the default), and the table is read by one
  // thread.
  virtual std::unique_ptr<UsageSink> NewPart() const { return nullptr; }
  virtual void MergePart(UsageSink& /*part*/) {}
};

struct TableStats {
  Table table = Table::kAccounts;
  std::string file;
  int64_t rows = 0;      // data rows read and kept
  int64_t rejected = 0;  // rows with bad values skipped (only when tolerated by LoadOptions)
  int64_t bytes = 0;
  int parts = 1;  // threads that read the table (the usage table may be split, loader.h)
  std::vector<std::string> warnings;  // duplicate ids, orphan keys, rejected rows
};

struct LoadReport {
  std::array<TableStats, 5> tables;  // indexed by Table
  TableStats& of(Table table) { return tables[static_cast<int>(table)]; }
  const TableStats& of(Table table) const { return tables[static_cast<int>(table)]; }
};

struct Dataset {
  std::vector<Account> accounts;
  std::vector<Subscription> subscriptions;
  std::vector<ChurnEvent> churn_events;
  std::vector<SupportTicket> tickets;
  IdIndex account_index;
  IdIndex subscription_index;
  // Latest dates in the whole tables (orphan rows included): the default window ends.
  std::optional<Day> latest_usage_day;
  std::optional<Day> latest_ticket_day;
  LoadReport report;
};

// Swaps what `a` and `b` hold of `table`: its rows, id index, latest date and report entry.
void SwapTable(Table table, Dataset& a, Dataset& b);

}  // namespace churn::dataset
