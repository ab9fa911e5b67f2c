#include "signals/long_views_builder.h"

#include "absl/strings/ascii.h"
#include "signals/usage_windows.h"

namespace churn {

using dataset::Day;

std::optional<int64_t> BillingMonths(std::string_view billing_frequency) {
  const std::string text = absl::AsciiStrToLower(absl::StripAsciiWhitespace(
      absl::string_view(billing_frequency.data(), billing_frequency.size())));
  if (text == "monthly") return 1;
  if (text == "quarterly") return 3;
  if (text == "annual" || text == "annually" || text == "yearly") return 12;
  return std::nullopt;
}

std::vector<LongViews> AssembleLongViews(const dataset::Dataset& data,
                                         const std::vector<LongUsageTotals>& usage, Day as_of) {
  struct PriorSupport {
    int64_t tickets = 0;
    int64_t scored = 0;
    double satisfaction_sum = 0;
  };
  // Per account: the tickets of [D-60d, D-30d), the window before the rule signals' one.
  std::vector<PriorSupport> prior(data.accounts.size());
  for (const dataset::SupportTicket& ticket : data.tickets) {
    if (ticket.account_index == dataset::kNoIndex) continue;
    if (ticket.submitted < as_of - 2 * kWindowDays || ticket.submitted >= as_of - kWindowDays) {
      continue;
    }
    PriorSupport& window = prior[ticket.account_index];
    ++window.tickets;
    if (ticket.satisfaction_score) {
      ++window.scored;
      window.satisfaction_sum += *ticket.satisfaction_score;
    }
  }

  std::vector<LongViews> views(data.subscriptions.size());
  for (size_t i = 0; i < data.subscriptions.size(); ++i) {
    const dataset::Subscription& subscription = data.subscriptions[i];
    LongViews& view = views[i];
    if (i < usage.size()) {
      const LongUsageTotals& totals = usage[i];
      view.usage_90d = totals.usage_90d;
      if (totals.usage_older60d > 0) {
        const auto recent = static_cast<double>(totals.usage_90d - totals.usage_older60d);
        view.usage_trend_90d = recent / (static_cast<double>(totals.usage_older60d) / 2.0) - 1.0;
      }
      view.usage_slope_90d = LongUsageSlope(totals);
      if (totals.active) view.days_since_last_activity = as_of - totals.last_active;
    }
    if (subscription.start_day) view.tenure_days = as_of - *subscription.start_day;
    view.seats = subscription.seats;
    view.billing_months = BillingMonths(subscription.billing_frequency);
    view.auto_renew = subscription.auto_renew;
    if (subscription.account_index != dataset::kNoIndex) {
      const PriorSupport& window = prior[subscription.account_index];
      view.tickets_prev30d = window.tickets;
      if (window.scored > 0) {
        view.satisfaction_prev30d = window.satisfaction_sum / static_cast<double>(window.scored);
      }
    }
  }
  return views;
}

}  // namespace churn
