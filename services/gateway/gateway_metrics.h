#pragma once
// Domain metrics of the gateway, created once in the service's registry:
//   churn_gateway_customers_scored{level}      customers in the current views, by risk level
//   churn_gateway_arr_at_risk{level}           ARR held by those customers, by risk level
//   churn_gateway_refresh_total{result}        refresh attempts: updated, unchanged, error
//   churn_gateway_refresh_seconds              duration of refresh attempts (histogram)
//   churn_gateway_refresh_stage_seconds{stage} time of each stage of a rebuild: stream_signals,
//                                              churn_intent, score, build_views (histogram)
//   churn_gateway_refresh_customers_total{kind} customers of rebuilds: streamed (signals sent by
//                                              ingest, all or a delta), removed (by a delta),
//                                              rescored (ScoreBatch), reused (assessment kept)
//   churn_gateway_views_age_seconds            seconds since the views were confirmed current
//   churn_gateway_views_stale                  1 when responses say stale
//   churn_gateway_snapshot_version             ingest snapshot version of the views
//   churn_gateway_ticket_analyses_total{source} ticket analyses answered: model or fallback

#include <string_view>

#include "common/metric_registrar.h"
#include "viewsets/view_set.h"

namespace churn::gateway {

enum class RefreshResult { kUpdated, kUnchanged, kError };
enum class RefreshStage { kStreamSignals, kChurnIntent, kScore, kBuildViews };
// The stage's label in churn_gateway_refresh_stage_seconds (and the refresh_stage log line).
std::string_view RefreshStageName(RefreshStage stage);
enum class RefreshCustomers { kStreamed, kRemoved, kRescored, kReused };

class GatewayMetrics {
 public:
  explicit GatewayMetrics(prometheus::Registry& registry);

  void ObserveRefresh(RefreshResult result, double seconds);
  void ObserveRefreshStage(RefreshStage stage, double seconds);
  void CountRefreshCustomers(RefreshCustomers kind, size_t count);
  void SetViews(const viewsets::ViewSet& views);
  void SetFreshness(double age_seconds, bool stale);
  void CountTicketAnalysis(bool fallback);
  // A live write of the risk history: its seconds, whether it rewrote the whole date, and the
  // rows it stored and removed.
  void ObserveHistoryWrite(bool whole_date, double seconds, int64_t stored, int64_t removed);

 private:
  prometheus::Gauge* customers_[3];  // indexed by scoring::RiskLevel
  prometheus::Gauge* arr_[3];
  prometheus::Counter* refreshes_[3];  // indexed by RefreshResult
  prometheus::Histogram* refresh_seconds_;
  prometheus::Histogram* stage_seconds_[4];  // indexed by RefreshStage
  prometheus::Counter* refresh_customers_[4];  // indexed by RefreshCustomers
  prometheus::Gauge* views_age_;
  prometheus::Gauge* views_stale_;
  prometheus::Gauge* snapshot_version_;
  prometheus::Counter* analyses_model_;
  prometheus::Counter* analyses_fallback_;
  prometheus::Histogram* history_write_seconds_[2];  // changed rows, whole date
  prometheus::Counter* history_rows_[2];             // stored, removed
};

}  // namespace churn::gateway
