#include "convert/signals_convert.h"

#include "signals/signal_ranges.h"
#include "status/status_macros.h"

namespace churn::convert {

void ToProto(const CustomerSignals& signals, v1::CustomerSignals* proto) {
  proto->Clear();
  proto->set_customer_id(signals.customer_id);
  proto->set_account_id(signals.account_id);
  proto->set_account_name(signals.account_name);
  proto->set_industry(signals.industry);
  proto->set_country(signals.country);
  proto->set_plan_tier(signals.plan_tier);
  proto->set_arr(signals.arr);
  proto->set_churned(signals.churned);
  proto->set_usage_30d(signals.usage_30d);
  proto->set_usage_prev30d(signals.usage_prev30d);
  proto->set_usage_drop_pct(signals.usage_drop_pct);
  proto->set_errors_30d(signals.errors_30d);
  proto->set_tickets_30d(signals.tickets_30d);
  if (signals.satisfaction_score) proto->set_satisfaction_score(*signals.satisfaction_score);
  proto->set_escalation_flag(signals.escalation_flag);
  if (signals.avg_first_response_min) {
    proto->set_avg_first_response_min(*signals.avg_first_response_min);
  }
  if (signals.avg_resolution_hours) {
    proto->set_avg_resolution_hours(*signals.avg_resolution_hours);
  }
  proto->set_churn_intent_30d(signals.churn_intent_30d);
  proto->set_downgrade_flag(signals.downgrade_flag);
  proto->set_is_trial(signals.is_trial);
  if (signals.long_views) {
    const LongViews& v = *signals.long_views;
    v1::LongViews* out = proto->mutable_long_views();
    out->set_usage_90d(v.usage_90d);
    if (v.usage_trend_90d) out->set_usage_trend_90d(*v.usage_trend_90d);
    out->set_usage_slope_90d(v.usage_slope_90d);
    if (v.days_since_last_activity) out->set_days_since_last_activity(*v.days_since_last_activity);
    if (v.tenure_days) out->set_tenure_days(*v.tenure_days);
    if (v.seats) out->set_seats(*v.seats);
    if (v.billing_months) out->set_billing_months(*v.billing_months);
    if (v.auto_renew) out->set_auto_renew(*v.auto_renew);
    out->set_tickets_prev30d(v.tickets_prev30d);
    if (v.satisfaction_prev30d) out->set_satisfaction_prev30d(*v.satisfaction_prev30d);
  }
}

absl::StatusOr<CustomerSignals> FromProto(const v1::CustomerSignals& proto,
                                          std::string_view field_path) {
  CustomerSignals signals;
  signals.customer_id = proto.customer_id();
  signals.account_id = proto.account_id();
  signals.account_name = proto.account_name();
  signals.industry = proto.industry();
  signals.country = proto.country();
  signals.plan_tier = proto.plan_tier();
  signals.arr = proto.arr();
  signals.churned = proto.churned();
  signals.usage_30d = proto.usage_30d();
  signals.usage_prev30d = proto.usage_prev30d();
  signals.usage_drop_pct = proto.usage_drop_pct();
  signals.errors_30d = proto.errors_30d();
  signals.tickets_30d = proto.tickets_30d();
  if (proto.has_satisfaction_score()) signals.satisfaction_score = proto.satisfaction_score();
  signals.escalation_flag = proto.escalation_flag();
  if (proto.has_avg_first_response_min()) {
    signals.avg_first_response_min = proto.avg_first_response_min();
  }
  if (proto.has_avg_resolution_hours()) {
    signals.avg_resolution_hours = proto.avg_resolution_hours();
  }
  signals.churn_intent_30d = proto.churn_intent_30d();
  signals.downgrade_flag = proto.downgrade_flag();
  signals.is_trial = proto.is_trial();
  if (proto.has_long_views()) {
    const v1::LongViews& in = proto.long_views();
    LongViews v;
    v.usage_90d = in.usage_90d();
    if (in.has_usage_trend_90d()) v.usage_trend_90d = in.usage_trend_90d();
    v.usage_slope_90d = in.usage_slope_90d();
    if (in.has_days_since_last_activity())
      v.days_since_last_activity = in.days_since_last_activity();
    if (in.has_tenure_days()) v.tenure_days = in.tenure_days();
    if (in.has_seats()) v.seats = in.seats();
    if (in.has_billing_months()) v.billing_months = in.billing_months();
    if (in.has_auto_renew()) v.auto_renew = in.auto_renew();
    v.tickets_prev30d = in.tickets_prev30d();
    if (in.has_satisfaction_prev30d()) v.satisfaction_prev30d = in.satisfaction_prev30d();
    signals.long_views = v;
  }
  CHURN_RETURN_IF_ERROR(signals::CheckSignalRanges(signals, field_path));
  return signals;
}

}  // namespace churn::convert
