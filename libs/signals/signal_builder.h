#pragma once
// From a data folder to one CustomerSignals row per subscription (docs/PRODUCT.md "Signals").

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "dataset/loader.h"
#include "signals/customer_signals.h"
#include "signals/usage_windows.h"

namespace churn {

struct SignalOptions {
  // Ends both windows here instead of at the latest usage / ticket date in the data.
  std::optional<dataset::Day> as_of;
  dataset::LoadOptions load;
  // Linked, analysed tickets flagged with cancellation intent in the last 30 days, by
  // customer_id (from ticket enrichment; empty without it).
  absl::flat_hash_map<std::string, int64_t> churn_intent_by_customer;
};

struct SignalSnapshot {
  std::vector<CustomerSignals> customers;  // one per subscription row, in file order
  // Window ends: E (usage) and T (support); absent when a table has no rows and no as-of.
  std::optional<dataset::Day> usage_window_end;
  std::optional<dataset::Day> support_window_end;
  dataset::LoadReport report;
  std::map<std::string, int64_t> churn_reason_counts;  // reason_code -> churn events
  size_t usage_entries_retained = 0;  // (subscription, day) cells held while streaming
};

// One CustomerSignals per subscription of loaded data (file order), from usage totals indexed by
// subscription and the support window ending at `support_window_end` (none: empty windows).
// BuildSignals and the as-of history (signals/signal_history.h) both assemble rows here.
std::vector<CustomerSignals> AssembleSignals(
    const dataset::Dataset& data, const std::vector<UsageTotals>& usage_totals,
    std::optional<dataset::Day> support_window_end,
    const absl::flat_hash_map<std::string, int64_t>& churn_intent_by_customer);

// The snapshot of loaded data whose usage, streamed through UsageWindows, gave `usage_totals`
// (indexed by subscription, windows ending at the as-of date or the latest usage day) and held
// `usage_entries_retained` cells. BuildSignals and ParsedTables (signals/parsed_tables.h) both
// end here, so a refresh that re-reads one table builds what a full load would.
SignalSnapshot AssembleSnapshot(const dataset::Dataset& data,
                                const std::vector<UsageTotals>& usage_totals,
                                size_t usage_entries_retained, const SignalOptions& options);

// AssembleSnapshot(data, ...) for data of which only the tickets and churn events differ from the
// data `previous` was assembled from (same accounts, subscriptions, usage totals and options):
// `previous`'s customers copied, with the support windows and churn labels assembled again.
// `changed` gets the positions of the customers whose signals differ from `previous`'s,
// ascending (what DiffAlignedSignals of snapshots/signals_delta.h would find).
SignalSnapshot ReassembleSupport(const dataset::Dataset& data, const SignalSnapshot& previous,
                                 const SignalOptions& options, std::vector<uint32_t>* changed);

// The window end E of loaded data: the as-of date, else the latest usage day.
std::optional<dataset::Day> UsageWindowEnd(const dataset::Dataset& data,
                                           std::optional<dataset::Day> as_of);

absl::StatusOr<SignalSnapshot> BuildSignals(const dataset::DataFiles& files,
                                            const SignalOptions& options);
absl::StatusOr<SignalSnapshot> BuildSignalsFromFolder(const std::string& data_dir,
                                                      const SignalOptions& options);

}  // namespace churn
