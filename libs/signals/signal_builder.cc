#include "signals/signal_builder.h"

#include <algorithm>
#include <thread>

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

double UsageDrop(int64_t last, int64_t prior) {
  if (prior <= 0 || last >= prior) return 0;
  return static_cast<double>(prior - last) / static_cast<double>(prior);
}

}  // namespace

std::vector<CustomerSignals> AssembleSignals(
    const dataset::Dataset& data, const std::vector<UsageTotals>& usage_totals,
    std::optional<Day> support_window_end,
    const absl::flat_hash_map<std::string, int64_t>& churn_intent_by_customer) {
  std::vector<SupportWindow> support = support_window_end
                                           ? SupportWindows(data, *support_window_end)
                                           : std::vector<SupportWindow>(data.accounts.size());
  std::vector<bool> account_churned(data.accounts.size(), false);
  for (const dataset::ChurnEvent& event : data.churn_events) {
    if (event.account_index != dataset::kNoIndex) account_churned[event.account_index] = true;
  }

  // Each row is filled in place, in ranges on all cores: a refresh after a tickets change
  // assembles every customer again (the snapshot is a new immutable vector), so this is most of
  // what it costs besides reading the tickets.
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
      if (subscription.account_index != dataset::kNoIndex) {
        const dataset::Account& account = data.accounts[subscription.account_index];
        signals.account_name = account.account_name;
        signals.industry = account.industry;
        signals.country = account.country;
        signals.churned = account_churned[subscription.account_index];
        const SupportWindow& window = support[subscription.account_index];
        signals.tickets_30d = window.tickets;
        signals.satisfaction_score = MeanOf(window.satisfaction_sum, window.satisfaction_count);
        signals.escalation_flag = window.escalated;
        signals.avg_first_response_min =
            MeanOf(window.first_response_sum, window.first_response_count);
        signals.avg_resolution_hours = MeanOf(window.resolution_sum, window.resolution_count);
      }
      if (!churn_intent_by_customer.empty()) {
        if (auto it = churn_intent_by_customer.find(signals.customer_id);
            it != churn_intent_by_customer.end()) {
          signals.churn_intent_30d = it->second;
        }
      }
    }
  };
  // Below this many rows per thread a thread costs more than it saves.
  constexpr size_t kMinRowsPerThread = 16384;
  const size_t count = customers.size();
  const size_t threads = std::clamp<size_t>(count / kMinRowsPerThread, 1,
                                            std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> workers;
  for (size_t t = 1; t < threads; ++t) {
    workers.emplace_back(fill, count * t / threads, count * (t + 1) / threads);
  }
  fill(0, count / threads);
  for (std::thread& worker : workers) worker.join();
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
