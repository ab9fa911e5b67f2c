#include "at_risk_page_json.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "dataset/value_parsers.h"
#include "jsonwriter/json_writer.h"
#include "reports/scored_customer.h"

namespace churn::gateway {
namespace {

using jsonwriter::JsonWriter;

std::string_view ProtoRiskLevelName(scoring::RiskLevel level) {
  switch (level) {
    case scoring::RiskLevel::kLow: return "RISK_LEVEL_LOW";
    case scoring::RiskLevel::kMedium: return "RISK_LEVEL_MEDIUM";
    case scoring::RiskLevel::kHigh: return "RISK_LEVEL_HIGH";
  }
  return "RISK_LEVEL_UNSPECIFIED";
}

// google.protobuf.Timestamp in the JSON mapping: UTC, the fraction in 0, 3, 6 or 9 digits.
std::string TimestampJson(absl::Time time) {
  const int64_t seconds = absl::ToUnixSeconds(time);
  const int64_t nanos = absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds));
  std::string text =
      absl::FormatTime("%Y-%m-%dT%H:%M:%S", absl::FromUnixSeconds(seconds), absl::UTCTimeZone());
  if (nanos != 0) {
    const std::string fraction = absl::StrFormat("%09d", nanos);
    const size_t digits = nanos % 1000000 == 0 ? 3 : nanos % 1000 == 0 ? 6 : 9;
    text += '.';
    text.append(fraction, 0, digits);
  }
  text += 'Z';
  return text;
}

std::string DayText(const std::optional<dataset::Day>& day) {
  return day ? dataset::FormatDate(*day) : std::string();
}

void WriteFreshness(const viewsets::Freshness& freshness, const viewsets::ViewSet* views,
                    JsonWriter& json) {
  json.BeginObject();
  json.Int64String("snapshot_version", freshness.snapshot_version);
  if (freshness.built_at) json.String("as_of", TimestampJson(*freshness.built_at));
  json.Bool("stale", freshness.stale);
  json.Int64String("stale_seconds", freshness.stale_seconds);
  json.String("last_error", freshness.last_error);
  json.String("usage_window_end", views ? DayText(views->usage_window_end()) : "");
  json.String("support_window_end", views ? DayText(views->support_window_end()) : "");
  json.String("rules_sha256", views ? std::string_view(views->rules_sha256()) : "");
  json.EndObject();
}

void WriteLongViews(const LongViews& v, JsonWriter& json) {
  json.BeginObject();
  json.Int64String("usage_90d", v.usage_90d);
  if (v.usage_trend_90d) json.Double("usage_trend_90d", *v.usage_trend_90d);
  json.Double("usage_slope_90d", v.usage_slope_90d);
  if (v.days_since_last_activity) {
    json.Int64String("days_since_last_activity", *v.days_since_last_activity);
  }
  if (v.tenure_days) json.Int64String("tenure_days", *v.tenure_days);
  if (v.seats) json.Int64String("seats", *v.seats);
  if (v.billing_months) json.Int64String("billing_months", *v.billing_months);
  if (v.auto_renew) json.Bool("auto_renew", *v.auto_renew);
  json.Int64String("tickets_prev30d", v.tickets_prev30d);
  if (v.satisfaction_prev30d) json.Double("satisfaction_prev30d", *v.satisfaction_prev30d);
  json.EndObject();
}

// CustomerSignals in field-number order.
void WriteSignals(const CustomerSignals& s, JsonWriter& json) {
  json.BeginObject();
  json.String("customer_id", s.customer_id);
  json.String("account_id", s.account_id);
  json.String("account_name", s.account_name);
  json.String("industry", s.industry);
  json.String("country", s.country);
  json.String("plan_tier", s.plan_tier);
  json.Double("arr", s.arr);
  json.Bool("churned", s.churned);
  json.Int64String("usage_30d", s.usage_30d);
  json.Int64String("usage_prev30d", s.usage_prev30d);
  json.Double("usage_drop_pct", s.usage_drop_pct);
  json.Int64String("errors_30d", s.errors_30d);
  json.Int64String("tickets_30d", s.tickets_30d);
  if (s.satisfaction_score) json.Double("satisfaction_score", *s.satisfaction_score);
  json.Bool("escalation_flag", s.escalation_flag);
  if (s.avg_first_response_min) json.Double("avg_first_response_min", *s.avg_first_response_min);
  if (s.avg_resolution_hours) json.Double("avg_resolution_hours", *s.avg_resolution_hours);
  json.Int64String("churn_intent_30d", s.churn_intent_30d);
  json.Bool("downgrade_flag", s.downgrade_flag);
  json.Bool("is_trial", s.is_trial);
  if (s.long_views) {
    json.Key("long_views");
    WriteLongViews(*s.long_views, json);
  }
  json.EndObject();
}

void WriteStrings(jsonwriter::PlainName name, const std::vector<SharedText>& values,
                  JsonWriter& json) {
  json.Key(name);
  json.BeginArray();
  for (const SharedText& value : values) json.String(value);
  json.EndArray();
}

// RiskAssessment in field-number order.
void WriteAssessment(const scoring::Assessment& a, JsonWriter& json) {
  json.BeginObject();
  json.String("customer_id", a.customer_id);
  json.Int("risk_score", a.risk_score);
  json.String("risk_level", ProtoRiskLevelName(a.risk_level));
  json.Key("fired_rules");
  json.BeginArray();
  for (const scoring::FiredRule& fired : a.fired_rules) {
    json.BeginObject();
    json.String("rule", fired.rule);
    json.String("tier", fired.tier);
    json.Int("points", fired.points);
    json.String("reason", fired.reason);
    json.EndObject();
  }
  json.EndArray();
  WriteStrings("reasons", a.reasons, json);
  WriteStrings("actions", a.actions, json);
  json.String("top_reasons", a.top_reasons);
  json.String("recommended_actions", a.recommended_actions);
  json.EndObject();
}

// A page past the page cache reads rows scattered over the whole row storage (a random page of a
// million rows): nearly every first read of a row, of the vectors and strings it points to, of
// the shared texts' strings and of its risk movement misses the CPU caches, and written one after
// another those misses were most of the page's cost (perf: the first load of each row's fired
// rules and of each string's bytes). The rows ahead are prefetched in stages instead, so the
// misses of several rows overlap; each stage reads only pointers an earlier stage brought in:
//   kStructAhead rows ahead: the row's own bytes;
//   kPointeesAhead: what the row points to (strings' bytes, vectors, shared texts' strings) and
//                   its movement's hash slot;
//   kTextsAhead: the shared texts' bytes (their strings have arrived by then).
constexpr size_t kStructAhead = 12;
constexpr size_t kPointeesAhead = 6;
constexpr size_t kTextsAhead = 3;
constexpr size_t kCacheLine = 64;

void PrefetchBytes(const void* at, size_t bytes) {
  const char* begin = static_cast<const char*>(at);
  for (size_t offset = 0; offset < bytes; offset += kCacheLine) {
    __builtin_prefetch(begin + offset);
  }
}

// The first line of a string's bytes (in the row itself when short).
void PrefetchText(const std::string& text) { __builtin_prefetch(text.data()); }
// A shared text's string (its address is in the row; reading it would wait for it).
void PrefetchSharedString(const SharedText& text) { __builtin_prefetch(&text.str()); }

// Where the page's rows read their movements: by position from the movement columns when the
// listing holds them (two small arrays), else by id from the movements' hash map (whose key
// comparison reads the id's bytes: a miss no prefetch of the hash slot covers).
class RowMovements {
 public:
  explicit RowMovements(const AtRiskListing& listing)
      : page_(listing.page),
        movements_(*listing.movements),
        columns_(listing.page.positions.size() == listing.page.customers.size()
                     ? listing.movement_columns.get()
                     : nullptr) {}

  void Prefetch(size_t i) const {
    if (columns_ != nullptr) {
      const uint32_t position = page_.positions[i];
      __builtin_prefetch(&columns_->score_change_30d[position]);
      __builtin_prefetch(&columns_->entered_high[position]);
      return;
    }
    // Hashes the id, which is in the row (or its bytes, prefetched with the row's pointees).
    const std::string& id = page_.customers[i]->signals.customer_id;
    movements_.by_customer.prefetch(std::string_view(id.data(), id.size()));
  }

  riskhistory::RiskMovement Of(size_t i) const {
    if (columns_ != nullptr) {
      const uint32_t position = page_.positions[i];
      riskhistory::RiskMovement movement;
      const int32_t change = columns_->score_change_30d[position];
      if (change != viewsets::MovementColumns::kNoChange) movement.score_change_30d = change;
      movement.entered_high = columns_->entered_high[position] != 0;
      return movement;
    }
    const riskhistory::RiskMovement* found =
        movements_.Find(page_.customers[i]->signals.customer_id);
    return found != nullptr ? *found : riskhistory::RiskMovement();
  }

 private:
  const viewsets::AtRiskPage& page_;
  const riskhistory::RiskMovements& movements_;
  const viewsets::MovementColumns* columns_;
};

void PrefetchPointees(const reports::ScoredCustomer& row) {
  const CustomerSignals& s = row.signals;
  PrefetchText(s.customer_id);
  PrefetchText(s.account_id);
  PrefetchText(s.account_name);
  PrefetchText(s.industry);
  PrefetchText(s.country);
  PrefetchText(s.plan_tier);
  if (s.long_views) __builtin_prefetch(&*s.long_views);
  const scoring::Assessment& a = row.assessment;
  PrefetchText(a.customer_id);
  PrefetchBytes(a.fired_rules.data(), a.fired_rules.size() * sizeof(scoring::FiredRule));
  PrefetchBytes(a.reasons.data(), a.reasons.size() * sizeof(SharedText));
  PrefetchBytes(a.actions.data(), a.actions.size() * sizeof(SharedText));
  PrefetchSharedString(a.top_reasons);
  PrefetchSharedString(a.recommended_actions);
}

void PrefetchTexts(const reports::ScoredCustomer& row) {
  const scoring::Assessment& a = row.assessment;
  __builtin_prefetch(a.top_reasons.data());
  __builtin_prefetch(a.recommended_actions.data());
}

// Called before writing row `i` of `rows`: the stages for the rows ahead (for every row up to
// each stage's distance at the first); the movement with the row's pointees.
void PrefetchAhead(const std::vector<const reports::ScoredCustomer*>& rows, size_t i,
                   const RowMovements& movements) {
  const size_t n = rows.size();
  auto pointees = [&](size_t k) {
    PrefetchPointees(*rows[k]);
    movements.Prefetch(k);
  };
  if (i == 0) {
    for (size_t k = 0; k < std::min(kStructAhead, n); ++k) {
      PrefetchBytes(rows[k], sizeof(reports::ScoredCustomer));
    }
    for (size_t k = 0; k < std::min(kPointeesAhead, n); ++k) pointees(k);
    for (size_t k = 0; k < std::min(kTextsAhead, n); ++k) PrefetchTexts(*rows[k]);
  }
  if (i + kStructAhead < n) PrefetchBytes(rows[i + kStructAhead], sizeof(reports::ScoredCustomer));
  if (i + kPointeesAhead < n) pointees(i + kPointeesAhead);
  if (i + kTextsAhead < n) PrefetchTexts(*rows[i + kTextsAhead]);
}

}  // namespace

void AppendAtRiskPageHeadJson(const AtRiskListing& listing, std::string* out) {
  JsonWriter json(out);
  json.BeginObject();
  json.Key("freshness");
  WriteFreshness(listing.freshness, listing.views.get(), json);
}

void AppendAtRiskPageRowsJson(const AtRiskListing& listing, std::string* out) {
  const viewsets::AtRiskPage& page = listing.page;
  // Rows take about 700 bytes: one allocation for the usual page.
  out->reserve(out->size() + 1024 + page.customers.size() * 1024);
  JsonWriter json(out);
  json.Key("customers");
  json.BeginArray();
  // Each row's movement, read while the row is at hand (prefetched with it).
  const RowMovements row_movements(listing);
  absl::InlinedVector<riskhistory::RiskMovement, 64> movements(page.customers.size());
  for (size_t i = 0; i < page.customers.size(); ++i) {
    PrefetchAhead(page.customers, i, row_movements);
    const reports::ScoredCustomer* customer = page.customers[i];
    json.BeginObject();
    json.Key("signals");
    WriteSignals(customer->signals, json);
    json.Key("assessment");
    WriteAssessment(customer->assessment, json);
    json.EndObject();
    movements[i] = row_movements.Of(i);
  }
  json.EndArray();
  json.Int64String("total_matched", static_cast<int64_t>(page.total_matched));
  json.Int("offset", static_cast<int32_t>(
                         std::min<size_t>(page.offset, std::numeric_limits<int32_t>::max())));
  json.String("next_page_token", listing.next_page_token);
  json.String("previous_page_token", listing.previous_page_token);
  json.Key("movements");
  json.BeginArray();
  // A customer without a movement reads as one that did not move (as the gRPC response).
  for (const riskhistory::RiskMovement& movement : movements) {
    json.BeginObject();
    if (movement.score_change_30d) json.Int("score_change_30d", *movement.score_change_30d);
    json.Bool("entered_high", movement.entered_high);
    json.EndObject();
  }
  json.EndArray();
}

void AppendAtRiskPageJson(const AtRiskListing& listing, std::string* out) {
  out->reserve(out->size() + 2048 + listing.page.customers.size() * 1024);
  AppendAtRiskPageHeadJson(listing, out);
  out->push_back(',');
  AppendAtRiskPageRowsJson(listing, out);
  out->push_back('}');
}

}  // namespace churn::gateway
