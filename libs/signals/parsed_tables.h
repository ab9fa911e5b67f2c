#pragma once
// ParsedTables: the five tables in the form the signals are built from, each with the file and
// content hash it was read from, so a refresh reads again only what changed. Accounts,
// subscriptions, churn events and tickets are kept as parsed rows; usage, by far the largest
// table, only as its per-subscription window totals, so memory grows with customers and tickets,
// not with usage rows.
//
// A changed table is read again together with the tables whose keys resolve against it:
//   accounts      -> subscriptions, churn events, tickets (their account_id)
//   subscriptions -> usage, unless the subscription ids are the same, in the same order (a
//                    change of plan, ARR or flags keeps every usage row's subscription)
// and a kept table whose rejected rows no longer fit LoadOptions::max_rejected_rows (earlier
// tables now reject more) is read again to fail as a full load would. A new as-of date reads
// everything. The signals are then assembled as BuildSignals does, so they equal a full load's.
//
// Not thread-safe: the snapshot store refreshes it under its load lock.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dataset/loader.h"
#include "signals/signal_builder.h"
#include "signals/usage_windows.h"

namespace churn {

// Which tables a refresh read, indexed by dataset::Table.
using TablesRead = std::array<bool, 5>;

class ParsedTables {
 public:
  // Brings the tables up to `files`, whose content hashes are `hashes` (indexed by Table).
  // On failure (a bad value names file, line and column) nothing changes. `load` must be the
  // same on every call (the kept tables were read with it).
  absl::StatusOr<TablesRead> Refresh(const dataset::DataFiles& files,
                                     const std::array<std::string, 5>& hashes,
                                     std::optional<dataset::Day> as_of,
                                     const dataset::LoadOptions& load);

  // The signals of the tables held; requires a successful Refresh.
  SignalSnapshot Signals() const;
  // The same from `previous`, the signals of the tables as they were before the last Refresh
  // (the caller's to know): when that refresh read only the tickets and churn events, the
  // customers are `previous`'s with the support windows and churn labels assembled again
  // (ReassembleSupport) and `*changed` the positions whose signals differ, ascending; otherwise
  // as Signals() and `*changed` unset.
  SignalSnapshot SignalsSince(const SignalSnapshot& previous,
                              std::optional<std::vector<uint32_t>>* changed) const;

 private:
  // What a refresh must read: changed tables and those resolving keys against them.
  TablesRead Stale(const dataset::DataFiles& files, const std::array<std::string, 5>& hashes,
                   std::optional<dataset::Day> as_of) const;

  bool loaded_ = false;
  TablesRead last_read_{};  // by the last successful Refresh
  std::optional<dataset::Day> as_of_;
  dataset::DataFiles files_;
  std::array<std::string, 5> hashes_;
  dataset::Dataset data_;                  // every table but the usage rows
  std::vector<UsageTotals> usage_totals_;  // by subscription index
  size_t usage_entries_retained_ = 0;
};

}  // namespace churn
