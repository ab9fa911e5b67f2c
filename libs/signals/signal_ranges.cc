#include "signals/signal_ranges.h"

#include <cmath>
#include <cstdint>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace churn::signals {
namespace {

// Collects the first problem, so the rules read as a list and the message is deterministic.
class FieldChecker {
 public:
  explicit FieldChecker(std::string_view path) : path_(path.data(), path.size()) {}

  void NonEmpty(absl::string_view field, absl::string_view value) {
    if (absl::StripAsciiWhitespace(value).empty()) Fail(field, "must not be empty");
  }
  void NonNegative(absl::string_view field, int64_t value) {
    if (value < 0) Fail(field, absl::StrCat("must be >= 0, got ", value));
  }
  void Finite(absl::string_view field, double value) {
    if (!std::isfinite(value)) Fail(field, absl::StrCat("must be a finite number, got ", value));
  }
  void InRange(absl::string_view field, double value, SignalRange range) {
    Finite(field, value);
    if (std::isfinite(value) && !range.Contains(value)) {
      Fail(field, absl::StrCat("must be within [", range.min, ", ", range.max, "], got ", value));
    }
  }
  void AtLeast(absl::string_view field, double value, double min) {
    Finite(field, value);
    if (std::isfinite(value) && value < min) {
      Fail(field, absl::StrCat("must be >= ", min, ", got ", value));
    }
  }

  absl::Status status() const { return status_; }

 private:
  void Fail(absl::string_view field, absl::string_view problem) {
    if (!status_.ok()) return;
    status_ =
        absl::InvalidArgumentError(path_.empty() ? absl::StrCat(field, ": ", problem)
                                                 : absl::StrCat(path_, ".", field, ": ", problem));
  }

  absl::string_view path_;
  absl::Status status_;
};

}  // namespace

absl::Status CheckSignalRanges(const CustomerSignals& signals, std::string_view field_path) {
  FieldChecker check(field_path);
  check.NonEmpty("customer_id", signals.customer_id);
  check.AtLeast("arr", signals.arr, 0);
  check.NonNegative("usage_30d", signals.usage_30d);
  check.NonNegative("usage_prev30d", signals.usage_prev30d);
  check.InRange("usage_drop_pct", signals.usage_drop_pct, kUsageDropPctRange);
  check.NonNegative("errors_30d", signals.errors_30d);
  check.NonNegative("tickets_30d", signals.tickets_30d);
  if (signals.satisfaction_score) {
    check.InRange("satisfaction_score", *signals.satisfaction_score, kSatisfactionScoreRange);
  }
  if (signals.avg_first_response_min) {
    check.AtLeast("avg_first_response_min", *signals.avg_first_response_min, 0);
  }
  if (signals.avg_resolution_hours) {
    check.AtLeast("avg_resolution_hours", *signals.avg_resolution_hours, 0);
  }
  check.NonNegative("churn_intent_30d", signals.churn_intent_30d);
  if (signals.long_views) {
    const LongViews& v = *signals.long_views;
    check.NonNegative("long_views.usage_90d", v.usage_90d);
    if (v.usage_trend_90d) check.AtLeast("long_views.usage_trend_90d", *v.usage_trend_90d, -1);
    check.Finite("long_views.usage_slope_90d", v.usage_slope_90d);
    if (v.days_since_last_activity) {
      check.NonNegative("long_views.days_since_last_activity", *v.days_since_last_activity);
    }
    if (v.tenure_days) check.NonNegative("long_views.tenure_days", *v.tenure_days);
    if (v.seats) check.NonNegative("long_views.seats", *v.seats);
    if (v.billing_months) check.NonNegative("long_views.billing_months", *v.billing_months);
    check.NonNegative("long_views.tickets_prev30d", v.tickets_prev30d);
    if (v.satisfaction_prev30d) {
      check.InRange("long_views.satisfaction_prev30d", *v.satisfaction_prev30d,
                    kSatisfactionScoreRange);
    }
  }
  return check.status();
}

}  // namespace churn::signals
