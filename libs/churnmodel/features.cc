#include "churnmodel/features.h"

#include <cmath>

#include "absl/strings/str_format.h"

namespace churn::churnmodel {
namespace {

using Value = std::optional<double>;

const LongViews& Long(const CustomerSignals& s) { return *s.long_views; }

template <typename T>
Value Optional(const std::optional<T>& value) {
  if (!value) return std::nullopt;
  return static_cast<double>(*value);
}

std::string Percent(double fraction) {
  return absl::StrFormat("%.0f%%", 100 * std::fabs(fraction));
}

std::string Count(double value) { return absl::StrFormat("%.0f", value); }

std::string YesNo(double value, std::string_view yes, std::string_view no) {
  return std::string(value >= 0.5 ? yes : no);
}

const Feature kFeatures[] = {
    {"usage_drop_pct", [](const CustomerSignals& s) -> Value { return s.usage_drop_pct; },
     [](double v) {
       return v > 0 ? absl::StrFormat("usage in the last 30 days is %s below the prior 30",
                                      Percent(v))
                    : std::string("usage in the last 30 days has not fallen below the prior 30");
     }},
    {"usage_30d",
     [](const CustomerSignals& s) -> Value { return static_cast<double>(s.usage_30d); },
     [](double v) {
       return absl::StrFormat("%s uses of the product in the last 30 days", Count(v));
     }},
    {"errors_30d",
     [](const CustomerSignals& s) -> Value { return static_cast<double>(s.errors_30d); },
     [](double v) { return absl::StrFormat("%s product errors in the last 30 days", Count(v)); }},
    {"tickets_30d",
     [](const CustomerSignals& s) -> Value { return static_cast<double>(s.tickets_30d); },
     [](double v) { return absl::StrFormat("%s support tickets in the last 30 days", Count(v)); }},
    {"satisfaction_score", [](const CustomerSignals& s) -> Value { return s.satisfaction_score; },
     [](double v) {
       return absl::StrFormat("a satisfaction score of %.1f/5 in the last 30 days", v);
     }},
    {"escalation_flag",
     [](const CustomerSignals& s) -> Value { return s.escalation_flag ? 1.0 : 0.0; },
     [](double v) {
       return YesNo(v, "an escalated ticket in the last 30 days",
                    "no escalated ticket in the last 30 days");
     }},
    {"churn_intent_30d",
     [](const CustomerSignals& s) -> Value { return static_cast<double>(s.churn_intent_30d); },
     [](double v) {
       return v > 0 ? absl::StrFormat("%s tickets with cancellation wording", Count(v))
                    : std::string("no ticket with cancellation wording");
     }},
    {"downgrade_flag",
     [](const CustomerSignals& s) -> Value { return s.downgrade_flag ? 1.0 : 0.0; },
     [](double v) { return YesNo(v, "a recent downgrade", "no recent downgrade"); }},
    {"is_trial", [](const CustomerSignals& s) -> Value { return s.is_trial ? 1.0 : 0.0; },
     [](double v) { return YesNo(v, "a trial subscription", "a paid subscription"); }},
    {"arr", [](const CustomerSignals& s) -> Value { return s.arr; },
     [](double v) { return absl::StrFormat("an ARR of %.0f", v); }},
    {"usage_90d",
     [](const CustomerSignals& s) -> Value { return static_cast<double>(Long(s).usage_90d); },
     [](double v) {
       return absl::StrFormat("%s uses of the product in the last 90 days", Count(v));
     }},
    {"usage_trend_90d", [](const CustomerSignals& s) -> Value { return Long(s).usage_trend_90d; },
     [](double v) {
       return absl::StrFormat(
           "usage in the last 30 days is %s %s the 30-day average of the two "
           "months before",
           Percent(v), v < 0 ? "below" : "above");
     }},
    {"usage_slope_90d", [](const CustomerSignals& s) -> Value { return Long(s).usage_slope_90d; },
     [](double v) {
       return absl::StrFormat("over 90 days usage has been %s by about %s of its average a month",
                              v < 0 ? "falling" : "rising", Percent(v));
     }},
    {"days_since_last_activity",
     [](const CustomerSignals& s) -> Value {
       // None in the 90-day window: more than 90 days, which the trees can split on.
       return static_cast<double>(Long(s).days_since_last_activity.value_or(kLongWindowDays + 1));
     },
     [](double v) {
       return v > kLongWindowDays ? std::string("no product use in the last 90 days")
                                  : absl::StrFormat("last product use %s days ago", Count(v));
     }},
    {"tenure_days", [](const CustomerSignals& s) -> Value { return Optional(Long(s).tenure_days); },
     [](double v) { return absl::StrFormat("a customer for %s days", Count(v)); }},
    {"seats", [](const CustomerSignals& s) -> Value { return Optional(Long(s).seats); },
     [](double v) { return absl::StrFormat("%s seats", Count(v)); }},
    {"billing_months",
     [](const CustomerSignals& s) -> Value { return Optional(Long(s).billing_months); },
     [](double v) {
       return v >= 12  ? std::string("billed annually")
              : v >= 3 ? std::string("billed quarterly")
                       : std::string("billed monthly");
     }},
    {"auto_renew",
     [](const CustomerSignals& s) -> Value {
       if (!Long(s).auto_renew) return std::nullopt;
       return *Long(s).auto_renew ? 1.0 : 0.0;
     },
     [](double v) { return YesNo(v, "auto-renewal on", "auto-renewal off"); }},
    {"ticket_trend_30d",
     [](const CustomerSignals& s) -> Value {
       return static_cast<double>(s.tickets_30d - Long(s).tickets_prev30d);
     },
     [](double v) {
       return v == 0 ? std::string("as many support tickets as in the 30 days before")
                     : absl::StrFormat("%s %s support tickets than in the 30 days before",
                                       Count(std::fabs(v)), v > 0 ? "more" : "fewer");
     }},
    {"satisfaction_trend_30d",
     [](const CustomerSignals& s) -> Value {
       if (!s.satisfaction_score || !Long(s).satisfaction_prev30d) return std::nullopt;
       return *s.satisfaction_score - *Long(s).satisfaction_prev30d;
     },
     [](double v) {
       return v == 0 ? std::string("satisfaction unchanged from the 30 days before")
                     : absl::StrFormat("satisfaction %.1f points %s than in the 30 days before",
                                       std::fabs(v), v < 0 ? "lower" : "higher");
     }},
};

}  // namespace

std::span<const Feature> Features() { return kFeatures; }

std::vector<std::string> FeatureNames() {
  std::vector<std::string> names;
  for (const Feature& feature : kFeatures) names.emplace_back(feature.name);
  return names;
}

absl::StatusOr<std::vector<float>> FeatureRow(const CustomerSignals& signals) {
  if (!signals.long_views) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "customer %s has no long views: the model needs them", signals.customer_id));
  }
  std::vector<float> row;
  row.reserve(std::size(kFeatures));
  for (const Feature& feature : kFeatures) {
    const std::optional<double> value = feature.value(signals);
    row.push_back(value && std::isfinite(*value) ? static_cast<float>(*value) : NAN);
  }
  return row;
}

}  // namespace churn::churnmodel
