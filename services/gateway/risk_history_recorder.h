#pragma once
// Fills the risk history (riskhistory/history_store.h) off the view path, on one background
// thread of low priority:
//  - after every publish of new views it stores their assessments under the snapshot date (the
//    usage window end E), replacing what that date held;
//  - on first start it backfills: weekly as-of dates over history_backfill_days back from the
//    first snapshot date it saw (the anchor, stored in the history so a restart resumes and
//    skips the dates already stored), each streamed from ingest (StreamSignals with as_of) and
//    scored through ScoreBatch. One date at a time with a pause in between, never while a
//    refresh runs, new views always first, so the backfill never crowds out refreshes; a failed
//    date is retried later.
// After each write it reloads the movements the views read (risk_trends.h). A failing history
// file is logged and skipped: views are never blocked by it.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/status.h"
#include "concurrency/mutex.h"
#include "dataset/value_parsers.h"
#include "riskhistory/history_store.h"
#include "viewsets/view_set.h"
#include "churn/v1/ingest.grpc.pb.h"
#include "churn/v1/scoring.grpc.pb.h"
#include "gateway_metrics.h"
#include "risk_trends.h"

namespace churn::gateway {

struct RiskHistoryOptions {
  int64_t backfill_days = 180;   // 0: no backfill
  int64_t retention_days = 400;  // the backfill never reaches further back (0: no limit)
  std::chrono::milliseconds backfill_pause{500};
  std::chrono::milliseconds stream_signals_deadline{60000};
  std::chrono::milliseconds score_deadline{10000};
  // Smaller than the refresh's batches, so a live refresh's batches interleave with them.
  int64_t score_batch_size = 500;
};

// The snapshot date of a view set: its usage window end, else its support window end, else the
// day it was built (UTC).
dataset::Day SnapshotDateOf(const viewsets::ViewSet& views);

class RiskHistoryRecorder {
 public:
  RiskHistoryRecorder(RiskHistoryOptions options, riskhistory::RiskHistoryStore* store,
                      RiskTrends* trends, std::shared_ptr<grpc::Channel> ingest,
                      std::shared_ptr<grpc::Channel> scoring, GatewayMetrics* metrics);
  ~RiskHistoryRecorder();  // Stop()
  RiskHistoryRecorder(const RiskHistoryRecorder&) = delete;
  RiskHistoryRecorder& operator=(const RiskHistoryRecorder&) = delete;

  void Start();
  // Stops the thread, cancelling a backfill call in flight. Idempotent.
  void Stop();
  // Queues `views` for storing and returns at once; a newer call replaces a queued one.
  void Record(std::shared_ptr<const viewsets::ViewSet> views);
  // While it answers true (a refresh is running) no backfill date starts; set before Start().
  void SetBusy(std::function<bool()> busy) { busy_ = std::move(busy); }
  // Called on the recorder's thread after each reload of the movements; set before Start().
  void SetOnMovementsReloaded(std::function<void()> reloaded) {
    on_movements_reloaded_ = std::move(reloaded);
  }

 private:
  void Run();
  // Takes the views so it can drop them before the (long) write.
  void WriteLive(std::shared_ptr<const viewsets::ViewSet> views);
  // Reads the movements again, then tells on_movements_reloaded_.
  void ReloadMovements();
  // Plans the backfill once, from the stored anchor (or `live_date`, stored as the anchor).
  void PlanBackfill(dataset::Day live_date);
  absl::Status BackfillOne(dataset::Day date);
  std::unique_ptr<grpc::ClientContext> NewContext(std::chrono::milliseconds timeout);
  void Forget();

  const RiskHistoryOptions options_;
  riskhistory::RiskHistoryStore* const store_;
  RiskTrends* const trends_;
  GatewayMetrics* const metrics_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
  std::unique_ptr<v1::ScoringService::Stub> scoring_;
  std::function<bool()> busy_;
  std::function<void()> on_movements_reloaded_;

  concurrency::Mutex mu_;
  concurrency::CondVar wake_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::shared_ptr<const viewsets::ViewSet> pending_ ABSL_GUARDED_BY(mu_);
  grpc::ClientContext* in_flight_ ABSL_GUARDED_BY(mu_) = nullptr;  // cancelled by Stop()

  // Only the thread touches these.
  bool planned_ = false;
  std::vector<dataset::Day> backfill_;  // dates still to replay, newest first
  std::thread thread_;
};

}  // namespace churn::gateway
