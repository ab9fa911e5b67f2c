#pragma once
// The health signals of one customer (one subscription), as docs/PRODUCT.md "Signals" defines them.
// Plain data shared by the signals builder, the scoring engine and the views.

#include <cstdint>
#include <optional>
#include <string>

#include "signals/long_views.h"
#include "signals/out_of_line_optional.h"

namespace churn {

struct CustomerSignals {
  // Identity and segment (customer_id is the subscription_id).
  std::string customer_id;
  std::string account_id;
  std::string account_name;
  std::string industry;
  std::string country;
  std::string plan_tier;
  double arr = 0;
  bool churned = false;  // label only: never used for scoring

  // Usage window [E-30d, E] against the prior window [E-60d, E-30d).
  int64_t usage_30d = 0;
  int64_t usage_prev30d = 0;
  double usage_drop_pct = 0;  // a fraction: 0.6 is 60%
  int64_t errors_30d = 0;

  // Support window [T-30d, T].
  int64_t tickets_30d = 0;
  std::optional<double> satisfaction_score;
  bool escalation_flag = false;
  std::optional<double> avg_first_response_min;
  std::optional<double> avg_resolution_hours;

  int64_t churn_intent_30d = 0;
  bool downgrade_flag = false;
  bool is_trial = false;

  // The trained model's longer views; absent unless asked for (the rules never read them). Out of
  // line: most customers have none, and a million inline optionals would cost ~150 MB.
  OutOfLineOptional<LongViews> long_views;

  // Field by field (a NaN never equals itself, so such a row always counts as changed).
  bool operator==(const CustomerSignals&) const = default;
};

}  // namespace churn
