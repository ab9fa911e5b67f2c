// churn-gateway: the door for people and most clients. Keeps the views current from ingest and
// scoring (RefreshOrchestrator), serves them over gRPC (GatewayService) and a JSON HTTP API
// with the dashboard (HttpApi), keeps the outcome log and fronts the Ticket Analyzer.
// Settings: churn/settings/v1/gateway_settings.proto (config/gateway-service.yaml,
// CHURN_GATEWAY_<KEY>, --key=value; see --help).
#include <atomic>
#include <memory>
#include <string>

#include <grpcpp/support/channel_arguments.h>

#include "viewsets/at_risk_query.h"
#include "viewsets/view_store.h"
#include "churn_intent.h"
#include "common/logging.h"
#include "common/neighbour_channel.h"
#include "common/run_service.h"
#include "gateway_api.h"
#include "gateway_metrics.h"
#include "gateway_options.h"
#include "gateway_service.h"
#include "heap_trim.h"
#include "http_api.h"
#include "model_quality.h"
#include "outcomes/outcome_log.h"
#include "refresh_orchestrator.h"
#include "risk_history_recorder.h"
#include "risk_trends.h"
#include "riskhistory/history_store.h"
#include "ticket_analyzer.h"

namespace {

namespace svc = churn::service;
namespace gw = churn::gateway;

// Neighbours come and go (restarts, deploys): reconnect quickly rather than after gRPC's
// default backoff of up to two minutes.
std::shared_ptr<grpc::Channel> NeighbourChannel(const std::string& address,
                                                const gw::GatewayOptions& options) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
              static_cast<int>(options.reconnect_backoff_max.count()));
  args.SetMaxReceiveMessageSize(64 << 20);
  return svc::NeighbourChannel(address, options.neighbour_security, std::move(args));
}

class GatewayParts : public svc::ServiceParts {
 public:
  GatewayParts(const gw::GatewayOptions& options, svc::ServiceProcess& host,
               std::unique_ptr<churn::outcomes::OutcomeLog> outcome_log,
               std::unique_ptr<churn::riskhistory::RiskHistoryStore> history)
      : host_(host),
        outcome_log_(std::move(outcome_log)),
        history_(std::move(history)),
        trends_(history_.get()),
        metrics_(host.metrics_registry()),
        store_(options.stale_after.count() == 0 ? absl::InfiniteDuration()
                                                : absl::Milliseconds(options.stale_after.count())),
        ingest_(NeighbourChannel(options.ingest_address, options)),
        enrichment_(NeighbourChannel(options.enrichment_address, options)),
        refresher_(
            options.refresh, ingest_, NeighbourChannel(options.scoring_address, options),
            gw::LinkedTicketIntent(ingest_, enrichment_, options.churn_intent, &linked_analyses_),
            &store_, &metrics_),
        recorder_(options.history, history_.get(), &trends_, ingest_,
                  NeighbourChannel(options.scoring_address, options), &metrics_),
        analyzer_(options.analyzer, ingest_, enrichment_, &metrics_),
        data_sets_(gw::DataSetRelayOptions{}, ingest_, &refresher_),
        api_(options.api, &store_, outcome_log_.get()),
        model_quality_(gw::ModelQualityOptions{}, ingest_,
                       NeighbourChannel(options.scoring_address, options), &api_, &refresher_),
        service_(&api_, &refresher_, &analyzer_, &host.executor()),
        http_(options.http, &api_, &refresher_, &analyzer_, &host.metrics_registry()) {
    api_.set_ticket_analyses(&linked_analyses_);
    service_.set_model_quality(&model_quality_);
    http_.set_model_quality(&model_quality_);
    service_.set_data_sets(&data_sets_);
    http_.set_data_sets(&data_sets_);
    api_.set_risk_trends(&trends_);
    recorder_.SetBusy([this] { return refresher_.Refreshing(); });
    // The movement columns of the views in force, for the new movements: on the recorder's
    // thread, without holding up a query (PrepareMovementColumns takes no lock while building).
    recorder_.SetOnMovementsReloaded([this] {
      if (std::shared_ptr<const churn::viewsets::ViewSet> views = store_.Current()) {
        churn::viewsets::PrepareMovementColumns(*views, *trends_.Movements());
      }
    });
    host.AddService(&service_, churn::v1::GatewayService::service_full_name());
    // NOT_SERVING until the first views exist; stale views later still serve.
    // The risk history is written after the swap, on its own thread: never on the view path.
    refresher_.SetOnViewsPublished(
        [this](const std::shared_ptr<const churn::viewsets::ViewSet>& views) {
          if (!serving_.exchange(true)) host_.SetServing(true);
          recorder_.Record(views);
          // Still on the refresh thread: the movement filters' columns of the new views are
          // built here rather than by the first request that filters on movements.
          churn::viewsets::PrepareMovementColumns(*views, *trends_.Movements());
        });
    // The port file waits for the HTTP port.
    host.ExpectPortFileEntry("http_port");
  }

  absl::Status Start() override {
    if (absl::Status s = http_.Start(); !s.ok()) return s;
    if (absl::Status s = host_.SetPortFileEntry("http_port", http_.port()); !s.ok()) {
      http_.Stop();
      return s;
    }
    recorder_.Start();
    refresher_.Start();
    return absl::OkStatus();
  }

  // After gRPC and the executor drained and /metrics stopped.
  void Stop() override {
    http_.Stop();
    refresher_.Stop();
    recorder_.Stop();
    svc::LogInfo("gateway_stopped");
  }

 private:
  svc::ServiceProcess& host_;
  std::unique_ptr<churn::outcomes::OutcomeLog> outcome_log_;
  std::unique_ptr<churn::riskhistory::RiskHistoryStore> history_;
  gw::RiskTrends trends_;
  gw::GatewayMetrics metrics_;
  churn::viewsets::ViewStore store_;
  std::shared_ptr<grpc::Channel> ingest_;
  std::shared_ptr<grpc::Channel> enrichment_;
  gw::LinkedTicketAnalyses linked_analyses_;
  gw::RefreshOrchestrator refresher_;
  gw::RiskHistoryRecorder recorder_;
  gw::TicketAnalyzer analyzer_;
  gw::DataSetRelay data_sets_;
  gw::GatewayApi api_;
  gw::ModelQuality model_quality_;
  gw::GatewayService service_;
  std::atomic<bool> serving_{false};
  gw::HttpApi http_;
};

absl::StatusOr<std::unique_ptr<svc::ServiceParts>> Build(const gw::GatewayOptions& options,
                                                         svc::ServiceProcess& host) {
  // A read-only or missing file system refuses outcome records (and retries on each), but the
  // views are still served.
  absl::Status outcome_log_not_writable;
  absl::StatusOr<std::unique_ptr<churn::outcomes::OutcomeLog>> outcome_log =
      churn::outcomes::OutcomeLog::OpenOrDefer(options.outcomes_db, &outcome_log_not_writable);
  if (!outcome_log.ok()) {
    svc::LogError("outcome_log_unavailable", {{"error", outcome_log.status()}});
    return outcome_log.status();
  }
  if (!outcome_log_not_writable.ok()) {
    svc::LogWarn("outcome_log_not_writable",
                 {{"path", options.outcomes_db}, {"error", outcome_log_not_writable}});
  } else {
    svc::LogInfo("outcome_log_opened", {{"path", options.outcomes_db}});
  }
  // Likewise the risk history: without it the views still serve, only the trends are missing.
  absl::Status history_not_writable;
  absl::StatusOr<std::unique_ptr<churn::riskhistory::RiskHistoryStore>> history =
      churn::riskhistory::RiskHistoryStore::OpenOrDefer(
          options.history_db,
          churn::riskhistory::HistoryStoreOptions{options.history.retention_days},
          &history_not_writable);
  if (!history.ok()) {
    svc::LogError("risk_history_unavailable", {{"error", history.status()}});
    return history.status();
  }
  if (!history_not_writable.ok()) {
    svc::LogWarn("risk_history_not_writable",
                 {{"path", options.history_db}, {"error", history_not_writable}});
  } else {
    svc::LogInfo("risk_history_opened", {{"path", options.history_db}});
  }
  return std::make_unique<GatewayParts>(options, host, *std::move(outcome_log),
                                        *std::move(history));
}

}  // namespace

// The slow HTTP work never takes every HTTP thread: at least four stay with views and probes.
static_assert(gw::kMaxHttpAnalyses + 4 <= gw::kHttpThreads);

int main(int argc, char** argv) {
  gw::KeepLargeBlocksOutOfHeap();
  return svc::RunService<churn::settings::v1::GatewaySettings>(
      "gateway", argc, argv, gw::GatewayOptionsFromSettings, Build);
}
