#include "signals/parsed_tables.h"

#include <algorithm>
#include <utility>

namespace churn {
namespace {

using dataset::Table;

constexpr int Index(Table table) { return static_cast<int>(table); }

bool SameSubscriptionIds(const std::vector<dataset::Subscription>& a,
                         const std::vector<dataset::Subscription>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const dataset::Subscription& x, const dataset::Subscription& y) {
                      return x.subscription_id == y.subscription_id;
                    });
}

}  // namespace

TablesRead ParsedTables::Stale(const dataset::DataFiles& files,
                               const std::array<std::string, 5>& hashes,
                               std::optional<dataset::Day> as_of) const {
  TablesRead stale{};
  for (Table table : dataset::kAllTables) {
    const int i = Index(table);
    // The path too: error and warning texts name the file.
    stale[i] =
        !loaded_ || as_of != as_of_ || files.paths[i] != files_.paths[i] || hashes[i] != hashes_[i];
  }
  if (stale[Index(Table::kAccounts)]) {
    stale[Index(Table::kSubscriptions)] = true;
    stale[Index(Table::kChurnEvents)] = true;
    stale[Index(Table::kSupportTickets)] = true;
  }
  return stale;  // usage after subscriptions is decided once they are read
}

absl::StatusOr<TablesRead> ParsedTables::Refresh(const dataset::DataFiles& files,
                                                 const std::array<std::string, 5>& hashes,
                                                 std::optional<dataset::Day> as_of,
                                                 const dataset::LoadOptions& load) {
  TablesRead read = Stale(files, hashes, as_of);
  // Tables read so far, with what data_ held of them before, to put back on failure.
  dataset::Dataset displaced;
  std::vector<Table> replaced;
  auto roll_back = [&] {
    for (auto it = replaced.rbegin(); it != replaced.rend(); ++it) {
      dataset::SwapTable(*it, data_, displaced);
    }
  };
  std::vector<UsageTotals> usage_totals;
  size_t usage_entries_retained = 0;
  int64_t rejected = 0;
  for (Table table : dataset::kAllTables) {
    const int i = Index(table);
    if (table == Table::kFeatureUsage && !read[i] && read[Index(Table::kSubscriptions)]) {
      read[i] = !SameSubscriptionIds(displaced.subscriptions, data_.subscriptions);
    }
    // A full load would stop inside a kept table whose rejected rows no longer fit the budget.
    if (!read[i] && rejected + data_.report.of(table).rejected > load.max_rejected_rows) {
      read[i] = true;
    }
    if (!read[i]) {
      rejected += data_.report.of(table).rejected;
      continue;
    }
    std::optional<UsageWindows> usage;
    if (table == Table::kFeatureUsage) usage.emplace(as_of);
    absl::StatusOr<dataset::Dataset> old = dataset::ReplaceTable(
        table, files.of(table), load, &rejected, usage ? &*usage : nullptr, &data_);
    if (!old.ok()) {
      roll_back();
      return old.status();
    }
    dataset::SwapTable(table, displaced, *old);
    replaced.push_back(table);
    if (usage) {
      const std::optional<dataset::Day> end = UsageWindowEnd(data_, as_of);
      usage_totals = end ? usage->Totals(*end, data_.subscriptions.size())
                         : std::vector<UsageTotals>(data_.subscriptions.size());
      usage_entries_retained = usage->retained_entries();
    }
  }
  if (read[Index(Table::kFeatureUsage)]) {
    usage_totals_ = std::move(usage_totals);
    usage_entries_retained_ = usage_entries_retained;
  }
  loaded_ = true;
  last_read_ = read;
  as_of_ = as_of;
  files_ = files;
  hashes_ = hashes;
  return read;
}

SignalSnapshot ParsedTables::Signals() const {
  SignalOptions options;
  options.as_of = as_of_;
  return AssembleSnapshot(data_, usage_totals_, usage_entries_retained_, options);
}

SignalSnapshot ParsedTables::SignalsSince(const SignalSnapshot& previous,
                                          std::optional<std::vector<uint32_t>>* changed) const {
  changed->reset();
  const bool only_support = !last_read_[Index(Table::kAccounts)] &&
                            !last_read_[Index(Table::kSubscriptions)] &&
                            !last_read_[Index(Table::kFeatureUsage)];
  if (!only_support || previous.customers.size() != data_.subscriptions.size()) return Signals();
  SignalOptions options;
  options.as_of = as_of_;
  changed->emplace();
  return ReassembleSupport(data_, previous, options, &**changed);
}

}  // namespace churn
