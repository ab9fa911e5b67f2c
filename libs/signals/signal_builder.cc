#include "signals/signal_builder.h"

#include <algorithm>
#include <cstdint>
#include <thread>

#include "concurrency/parallel_ranges.h"
#include "signals/usage_windows.h"
#include "status/status_macros.h"

namespace churn {
namespace {

using dataset::Day;

struct SupportWindow {
  int64_t tickets = 0;
  int64_t satisfaction_count = 0;
  double satisfaction_sum = 0;
  bool escalated = false;
  int64_t first_response_count = 0;
  double first_response_sum = 0;
  int64_t resolution_count = 0;
  double resolution_sum = 0;
};

std::optional<double> MeanOf(double sum, int64_t count) {
  if (count == 0) return std::nullopt;
  return sum / static_cast<double>(count);
}

// Per account: the tickets submitted in [T-30d, T].
std::vector<SupportWindow> SupportWindows(const dataset::Dataset& data, Day end) {
  std::vector<SupportWindow> windows(data.accounts.size());
  for (const dataset::SupportTicket& ticket : data.tickets) {
    if (ticket.account_index == dataset::kNoIndex) continue;
    if (ticket.submitted < end - kWindowDays || ticket.submitted > end) continue;
    SupportWindow& window = windows[ticket.account_index];
    ++window.tickets;
    window.escalated = window.escalated || ticket.escalated;
    if (ticket.satisfaction_score) {
      ++window.satisfaction_count;
      window.satisfaction_sum += *ticket.satisfaction_score;
    }
    if (ticket.first_response_minutes) {
      ++window.first_response_count;
      window.first_response_sum += *ticket.first_response_minutes;
    }
    if (ticket.resolution_hours) {
      ++window.resolution_count;
      window.resolution_sum += *ticket.resolution_hours;
    }
  }
  return windows;
}

// What a customer's support window and its account's churn events give.
struct SupportFields {
  int64_t tickets_30d = 0;
  std::optional<double> satisfaction_score;
  bool escalation_flag = false;
  std::optional<double> avg_first_response_min;
  std::optional<double> avg_resolution_hours;
  bool churned = false;
  bool operator==(const SupportFields&) const = default;

  SupportFields(const SupportWindow& window, bool account_churned)
      : tickets_30d(window.tickets),
        satisfaction_score(MeanOf(window.satisfaction_sum, window.satisfaction_count)),
        escalation_flag(window.escalated),
        avg_first_response_min(MeanOf(window.first_response_sum, window.first_response_count)),
        avg_resolution_hours(MeanOf(window.resolution_sum, window.resolution_count)),
        churned(account_churned) {}
  explicit SupportFields(const CustomerSignals& signals)
      : tickets_30d(signals.tickets_30d),
        satisfaction_score(signals.satisfaction_score),
        escalation_flag(signals.escalation_flag),
        avg_first_response_min(signals.avg_first_response_min),
        avg_resolution_hours(signals.avg_resolution_hours),
        churned(signals.churned) {}

  void ApplyTo(CustomerSignals& signals) const {
    signals.churned = churned;
    signals.tickets_30d = tickets_30d;
    signals.satisfaction_score = satisfaction_score;
    signals.escalation_flag = escalation_flag;
    signals.avg_first_response_min = avg_first_response_min;
    signals.avg_resolution_hours = avg_resolution_hours;
  }
};

// The per-account inputs of SupportFields.
struct AccountSupport {
  std::vector<SupportWindow> windows;
  std::vector<bool> churned;
};

AccountSupport AccountSupportOf(const dataset::Dataset& data,
                                std::optional<Day> support_window_end) {
  AccountSupport support;
  support.windows = support_window_end ? SupportWindows(data, *support_window_end)
                                       : std::vector<SupportWindow>(data.accounts.size());
  support.churned.assign(data.accounts.size(), false);
  for (const dataset::ChurnEvent& event : data.churn_events) {
    if (event.account_index != dataset::kNoIndex) support.churned[event.account_index] = true;
  }
  return support;
}

// Calls fill(begin, end) over [0, count) in ranges on all cores.
template <typename Fill>
void InRanges(size_t count, Fill&& fill) {
  // Below this many rows per thread a thread costs more than it saves.
  constexpr size_t kMinRowsPerThread = 16384;
  concurrency::ForEachRange(count, kMinRowsPerThread, SIZE_MAX,
                            [&fill](size_t, size_t begin, size_t end) { fill(begin, end); });
}

double UsageDrop(int64_t last, int64_t prior) {
  if (prior <= 0 || last >= prior) return 0;
  return static_cast<double>(prior - last) / static_cast<double>(prior);
}

}  // namespace

std::vector<CustomerSignals> AssembleSignals(
    const dataset::Dataset& data, const std::vector<UsageTotals>& usage_totals,
    std::optional<Day> support_window_end,
    const absl::flat_hash_map<std::string, int64_t>& churn_intent_by_customer) {
  const AccountSupport support = AccountSupportOf(data, support_window_end);
  // Each row is filled in place, in ranges on all cores.
  std::vector<CustomerSignals> customers(data.subscriptions.size());
  auto fill = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const dataset::Subscription& subscription = data.subscriptions[i];
      CustomerSignals& signals = customers[i];
      signals.customer_id = subscription.subscription_id;
      signals.account_id = subscription.account_id;
      signals.plan_tier = subscription.plan_tier;
      signals.arr = subscription.arr;
      signals.downgrade_flag = subscription.downgrade_flag;
      signals.is_trial = subscription.is_trial;
      if (i < usage_totals.size()) {
        signals.usage_30d = usage_totals[i].usage_30d;
        signals.usage_prev30d = usage_totals[i].usage_prev30d;
        signals.errors_30d = usage_totals[i].errors_30d;
      }
      signals.usage_drop_pct = UsageDrop(signals.usage_30d, signals.usage_prev30d);
      if (const int32_t account = subscription.account_index; account != dataset::kNoIndex) {
        const dataset::Account& row = data.accounts[account];
        signals.account_name = row.account_name;
        signals.industry = row.industry;
        signals.country = row.country;
        SupportFields(support.windows[account], support.churned[account]).ApplyTo(signals);
      }
      if (!churn_intent_by_customer.empty()) {
        if (auto it = churn_intent_by_customer.find(signals.customer_id);
            it != churn_intent_by_customer.end()) {
          signals.churn_intent_30d = it->second;
        }
      }
    }
  };
  InRanges(customers.size(), fill);
  return customers;
}

std::optional<Day> UsageWindowEnd(const dataset::Dataset& data, std::optional<Day> as_of) {
  return as_of ? as_of : data.latest_usage_day;
}

SignalSnapshot AssembleSnapshot(const dataset::Dataset& data,
                                const std::vector<UsageTotals>& usage_totals,
                                size_t usage_entries_retained, const SignalOptions& options) {
  SignalSnapshot snapshot;
  snapshot.usage_window_end = UsageWindowEnd(data, options.as_of);
  snapshot.support_window_end = options.as_of ? options.as_of : data.latest_ticket_day;
  snapshot.usage_entries_retained = usage_entries_retained;
  for (const dataset::ChurnEvent& event : data.churn_events) {
    ++snapshot.churn_reason_counts[event.reason_code.empty() ? "(blank)" : event.reason_code];
  }
  snapshot.customers = AssembleSignals(data, usage_totals, snapshot.support_window_end,
                                       options.churn_intent_by_customer);
  snapshot.report = data.report;
  return snapshot;
}

SignalSnapshot ReassembleSupport(const dataset::Dataset& data, const SignalSnapshot& previous,
                                 const SignalOptions& options, std::vector<uint32_t>* changed) {
  SignalSnapshot snapshot;
  snapshot.usage_window_end = UsageWindowEnd(data, options.as_of);
  snapshot.support_window_end = options.as_of ? options.as_of : data.latest_ticket_day;
  snapshot.usage_entries_retained = previous.usage_entries_retained;
  for (const dataset::ChurnEvent& event : data.churn_events) {
    ++snapshot.churn_reason_counts[event.reason_code.empty() ? "(blank)" : event.reason_code];
  }
  const AccountSupport support = AccountSupportOf(data, snapshot.support_window_end);
  const std::vector<CustomerSignals>& before = previous.customers;
  // Which customers' support fields differ: read on another thread while this one copies the
  // rows (most of what this costs: one pass over every row and its strings), then patched.
  auto support_of = [&](size_t i) -> std::optional<SupportFields> {
    const int32_t account =
        i < data.subscriptions.size() ? data.subscriptions[i].account_index : dataset::kNoIndex;
    if (account == dataset::kNoIndex) return std::nullopt;
    return SupportFields(support.windows[account], support.churned[account]);
  };
  changed->clear();
  std::vector<CustomerSignals> customers;
  {
    std::jthread compare([&] {
      for (size_t i = 0; i < before.size(); ++i) {
        const std::optional<SupportFields> now = support_of(i);
        if (now && !(*now == SupportFields(before[i]))) {
          changed->push_back(static_cast<uint32_t>(i));
        }
      }
    });
    customers = before;
  }
  for (const uint32_t i : *changed) support_of(i)->ApplyTo(customers[i]);
  snapshot.customers = std::move(customers);
  snapshot.report = data.report;
  return snapshot;
}

absl::StatusOr<SignalSnapshot> BuildSignals(const dataset::DataFiles& files,
                                            const SignalOptions& options) {
  // The day rings are released once totalled, before the customers are assembled.
  auto usage = std::make_unique<UsageWindows>(options.as_of);
  CHURN_ASSIGN_OR_RETURN(dataset::Dataset data,
                         dataset::LoadDataset(files, options.load, usage.get()));
  const std::optional<Day> end = UsageWindowEnd(data, options.as_of);
  const std::vector<UsageTotals> usage_totals =
      end ? usage->Totals(*end, data.subscriptions.size())
          : std::vector<UsageTotals>(data.subscriptions.size());
  const size_t retained = usage->retained_entries();
  usage.reset();
  return AssembleSnapshot(data, usage_totals, retained, options);
}

absl::StatusOr<SignalSnapshot> BuildSignalsFromFolder(const std::string& data_dir,
                                                      const SignalOptions& options) {
  CHURN_ASSIGN_OR_RETURN(dataset::DataFiles files, dataset::FindDataFiles(data_dir));
  return BuildSignals(files, options);
}

}  // namespace churn
