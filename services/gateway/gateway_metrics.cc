#include "gateway_metrics.h"

#include <string>

#include "common/metric_registrar.h"

namespace churn::gateway {
namespace {

constexpr const char* kLevelNames[] = {"low", "medium", "high"};  // scoring::RiskLevel order

}  // namespace

std::string_view RefreshStageName(RefreshStage stage) {
  switch (stage) {
    case RefreshStage::kStreamSignals: return "stream_signals";
    case RefreshStage::kChurnIntent: return "churn_intent";
    case RefreshStage::kScore: return "score";
    case RefreshStage::kBuildViews: return "build_views";
  }
  return "unknown";
}

GatewayMetrics::GatewayMetrics(prometheus::Registry& registry) {
  service::MetricRegistrar metrics(registry);
  auto& customers = metrics.GaugeFamily("churn_gateway_customers_scored",
                                        "Customers in the current views, by risk level");
  auto& arr = metrics.GaugeFamily("churn_gateway_arr_at_risk",
                                  "ARR held by the customers of the current views, by risk level");
  for (int level = 0; level < 3; ++level) {
    customers_[level] = &customers.Add({{"level", kLevelNames[level]}});
    arr_[level] = &arr.Add({{"level", kLevelNames[level]}});
  }
  auto& refreshes = metrics.CounterFamily("churn_gateway_refresh_total",
                                          "Refresh attempts by result (updated, unchanged, error)");
  refreshes_[static_cast<int>(RefreshResult::kUpdated)] = &refreshes.Add({{"result", "updated"}});
  refreshes_[static_cast<int>(RefreshResult::kUnchanged)] =
      &refreshes.Add({{"result", "unchanged"}});
  refreshes_[static_cast<int>(RefreshResult::kError)] = &refreshes.Add({{"result", "error"}});
  const prometheus::Histogram::BucketBoundaries buckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                           0.5,   1,    2.5,   5,    10,  30, 60};
  refresh_seconds_ = metrics.Histogram(
      "churn_gateway_refresh_seconds", "Duration of refresh attempts (check, pull, score, build)",
      buckets);
  auto& stages = metrics.HistogramFamily(
      "churn_gateway_refresh_stage_seconds",
      "Time of each stage of a views rebuild: stream_signals (from ingest), churn_intent, score "
      "(ScoreBatch calls), build_views");
  for (int stage = 0; stage < 4; ++stage) {
    stage_seconds_[stage] = &stages.Add(
        {{"stage", std::string(RefreshStageName(static_cast<RefreshStage>(stage)))}}, buckets);
  }
  auto& refresh_customers = metrics.CounterFamily(
      "churn_gateway_refresh_customers_total",
      "Customers of views rebuilds: streamed (by ingest, all or a delta), removed (by a delta), "
      "rescored (ScoreBatch) and reused (assessment kept, signals unchanged)");
  const char* kind_names[] = {"streamed", "removed", "rescored", "reused"};
  for (int kind = 0; kind < 4; ++kind) {
    refresh_customers_[kind] = &refresh_customers.Add({{"kind", kind_names[kind]}});
  }
  views_age_ = metrics.Gauge("churn_gateway_views_age_seconds",
                             "Seconds since the views were last confirmed current");
  views_stale_ =
      metrics.Gauge("churn_gateway_views_stale", "1 when the gateway reports its views as stale");
  views_stale_->Set(1);  // no views yet
  snapshot_version_ = metrics.Gauge("churn_gateway_snapshot_version",
                                    "Ingest snapshot version the current views were built from");
  auto& analyses = metrics.CounterFamily("churn_gateway_ticket_analyses_total",
                                         "Ticket analyses answered, by source (model or fallback)");
  analyses_model_ = &analyses.Add({{"source", "model"}});
  analyses_fallback_ = &analyses.Add({{"source", "fallback"}});
  auto& history_writes = metrics.HistogramFamily(
      "churn_gateway_risk_history_write_seconds",
      "Time of each write of new views into the risk history, by kind: changed_rows (compared "
      "with the last write of the date) or whole_date");
  history_write_seconds_[0] = &history_writes.Add({{"kind", "changed_rows"}}, buckets);
  history_write_seconds_[1] = &history_writes.Add({{"kind", "whole_date"}}, buckets);
  auto& history_rows = metrics.CounterFamily(
      "churn_gateway_risk_history_rows_total",
      "Rows the risk history's live writes stored (inserted or replaced) and removed");
  history_rows_[0] = &history_rows.Add({{"kind", "stored"}});
  history_rows_[1] = &history_rows.Add({{"kind", "removed"}});
}

void GatewayMetrics::ObserveRefresh(RefreshResult result, double seconds) {
  refreshes_[static_cast<int>(result)]->Increment();
  refresh_seconds_->Observe(seconds);
}

void GatewayMetrics::ObserveRefreshStage(RefreshStage stage, double seconds) {
  stage_seconds_[static_cast<int>(stage)]->Observe(seconds);
}

void GatewayMetrics::CountRefreshCustomers(RefreshCustomers kind, size_t count) {
  refresh_customers_[static_cast<int>(kind)]->Increment(static_cast<double>(count));
}

void GatewayMetrics::SetViews(const viewsets::ViewSet& views) {
  double customers[3] = {0, 0, 0};
  double arr[3] = {0, 0, 0};
  // From the index's columns: a pass over two arrays rather than over every row.
  const viewsets::AtRiskIndex& index = views.at_risk_index();
  for (uint32_t i = 0; i < index.size(); ++i) {
    const int level = static_cast<int>(index.level(i));
    customers[level] += 1;
    arr[level] += index.arr(i);
  }
  for (int level = 0; level < 3; ++level) {
    customers_[level]->Set(customers[level]);
    arr_[level]->Set(arr[level]);
  }
  snapshot_version_->Set(static_cast<double>(views.snapshot_version()));
}

void GatewayMetrics::SetFreshness(double age_seconds, bool stale) {
  views_age_->Set(age_seconds);
  views_stale_->Set(stale ? 1 : 0);
}

void GatewayMetrics::CountTicketAnalysis(bool fallback) {
  (fallback ? analyses_fallback_ : analyses_model_)->Increment();
}

void GatewayMetrics::ObserveHistoryWrite(bool whole_date, double seconds, int64_t stored,
                                         int64_t removed) {
  history_write_seconds_[whole_date ? 1 : 0]->Observe(seconds);
  history_rows_[0]->Increment(static_cast<double>(stored));
  history_rows_[1]->Increment(static_cast<double>(removed));
}

}  // namespace churn::gateway
