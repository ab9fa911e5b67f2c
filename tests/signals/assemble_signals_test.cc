// AssembleSignals fills the customers in ranges on several threads once there are enough of
// them: every row is filled, in subscription order, from its own subscription, account, usage and
// support window.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "signals/signal_builder.h"

namespace churn {
namespace {

TEST(AssembleSignals, ManyCustomersAreFilledInOrderOnEveryThread) {
  constexpr int kAccounts = 5000;
  constexpr int kSubscriptions = 70001;  // several threads' ranges, and an uneven last one
  constexpr dataset::Day kEnd = 20000;
  dataset::Dataset data;
  for (int a = 0; a < kAccounts; ++a) {
    // Long enough names to live outside the string's own buffer.
    data.accounts.push_back({absl::StrCat("A-", a), absl::StrCat("Account number ", a, " Ltd."),
                             absl::StrCat("industry-", a % 7), a % 2 == 0 ? "US" : "DE"});
  }
  for (int s = 0; s < kSubscriptions; ++s) {
    dataset::Subscription subscription;
    subscription.subscription_id = absl::StrCat("S-", s);
    subscription.account_id = absl::StrCat("A-", s % kAccounts);
    // Every 1000th subscription's account is unknown.
    subscription.account_index = s % 1000 == 999 ? dataset::kNoIndex : s % kAccounts;
    subscription.plan_tier = s % 3 == 0 ? "Enterprise" : "Basic";
    subscription.arr = s;
    subscription.downgrade_flag = s % 5 == 0;
    data.subscriptions.push_back(std::move(subscription));
  }
  // Account a has a % 4 tickets in the window (satisfaction a % 5 + 1) and one before it.
  for (int a = 0; a < kAccounts; ++a) {
    for (int t = 0; t < a % 4; ++t) {
      data.tickets.push_back({a, kEnd - t, double(a % 5 + 1), std::nullopt, 2.0, a % 3 == 0});
    }
    data.tickets.push_back({a, kEnd - 45, 1.0, 5.0, std::nullopt, true});
  }
  data.churn_events.push_back({7, std::nullopt, "price"});
  std::vector<UsageTotals> usage(kSubscriptions);
  for (int s = 0; s < kSubscriptions; ++s) usage[s] = {s % 100, 100, s % 9};
  const absl::flat_hash_map<std::string, int64_t> intent = {{"S-12345", 2}};

  const std::vector<CustomerSignals> customers = AssembleSignals(data, usage, kEnd, intent);
  ASSERT_EQ(customers.size(), static_cast<size_t>(kSubscriptions));
  int mismatched = 0;
  for (int s = 0; s < kSubscriptions; ++s) {
    const CustomerSignals& c = customers[s];
    const int a = s % kAccounts;
    const bool known = s % 1000 != 999;
    const bool ok =
        c.customer_id == absl::StrCat("S-", s) && c.account_id == absl::StrCat("A-", a) &&
        c.plan_tier == (s % 3 == 0 ? "Enterprise" : "Basic") && c.arr == s &&
        c.downgrade_flag == (s % 5 == 0) && c.usage_30d == s % 100 && c.usage_prev30d == 100 &&
        c.errors_30d == s % 9 && c.usage_drop_pct == (100.0 - s % 100) / 100.0 &&
        c.account_name == (known ? absl::StrCat("Account number ", a, " Ltd.") : "") &&
        c.country == (known ? (a % 2 == 0 ? "US" : "DE") : "") && c.churned == (known && a == 7) &&
        c.tickets_30d == (known ? a % 4 : 0) &&
        c.satisfaction_score ==
            (known && a % 4 > 0 ? std::optional<double>(a % 5 + 1) : std::nullopt) &&
        c.escalation_flag == (known && a % 4 > 0 && a % 3 == 0) &&
        !c.avg_first_response_min.has_value() &&
        c.avg_resolution_hours ==
            (known && a % 4 > 0 ? std::optional<double>(2.0) : std::nullopt) &&
        c.churn_intent_30d == (s == 12345 ? 2 : 0);
    if (!ok && ++mismatched <= 5) ADD_FAILURE() << "customer " << s << " (" << c.customer_id << ")";
  }
  EXPECT_EQ(mismatched, 0);
}

}  // namespace
}  // namespace churn
