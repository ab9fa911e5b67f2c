#pragma once
// Keeps the gateway's views current. Every refresh_interval, and as soon as ingest says it has
// published a snapshot (IngestSnapshotWatch), it asks ingest for the snapshot version and scoring
// for the rules hash; when either changed (or when asked through Refresh) it
// streams the snapshot's signals from ingest, merges churn intent from ticket enrichment
// (churn_intent.h, signals::MergeChurnIntent), scores them through ScoringService.ScoreBatch in
// batches, builds a new ViewSet (with the Drivers labels of the rules in force, read from scoring
// GetRules once per rules hash) and swaps it in atomically.
// A refresh costs what changed: it asks ingest for a delta against the snapshot version the
// views in force were built from (StreamSignals base_snapshot_version; a full stream when ingest
// no longer holds it or restarted), and rescores only the customers whose signals differ from
// those views' while scoring answers with the same rules and model (rules hash and load time);
// the others keep their assessment and second opinion, and their rows are shared with the new
// views, which merge the changed rows into the previous ones (viewsets::ViewSet::Update). When a
// neighbour fails or is slow the last good views stay in place and the failure is recorded in the
// ViewStore, so every response says how stale it is. One refresh runs at a time.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "concurrency/mutex.h"
#include "reports/second_opinion.h"
#include "signals/text_interner.h"
#include "viewsets/view_store.h"
#include "call_scope.h"
#include "churn/v1/ingest.grpc.pb.h"
#include "churn/v1/scoring.grpc.pb.h"
#include "churn_intent.h"
#include "convert/compact_response_expander.h"
#include "streamed_signals.h"
#include "gateway_metrics.h"
#include "ingest_snapshot_watch.h"

namespace churn::gateway {

struct RefreshOptions {
  std::chrono::milliseconds interval{2000};
  // The snapshot watch's longest pause before it opens its stream again (ingest_snapshot_watch.h).
  std::chrono::milliseconds watch_backoff_max{2000};
  std::chrono::milliseconds ingest_deadline{2000};
  std::chrono::milliseconds reload_deadline{60000};
  std::chrono::milliseconds stream_signals_deadline{60000};
  std::chrono::milliseconds score_deadline{10000};
  int64_t score_batch_size = 2000;
  int64_t score_batches_in_flight = 3;
};

struct RefreshReport {
  v1::SnapshotInfo snapshot;                     // as ingest reported it
  bool changed = false;                          // new views were published
  std::shared_ptr<const viewsets::ViewSet> views;  // current after the attempt
};

class RefreshOrchestrator {
 public:
  RefreshOrchestrator(RefreshOptions options, std::shared_ptr<grpc::Channel> ingest,
                      std::shared_ptr<grpc::Channel> scoring, ChurnIntentSource churn_intent,
                      viewsets::ViewStore* store, GatewayMetrics* metrics);
  ~RefreshOrchestrator();  // Stop()
  RefreshOrchestrator(const RefreshOrchestrator&) = delete;
  RefreshOrchestrator& operator=(const RefreshOrchestrator&) = delete;

  // Called (on the refreshing thread) after every publish; set before Start().
  using PublishedCallback =
      std::function<void(const std::shared_ptr<const viewsets::ViewSet>& views)>;
  void SetOnViewsPublished(PublishedCallback callback) { on_published_ = std::move(callback); }

  // Starts the poller (a first refresh at once, then one every interval or when ingest
  // publishes) and the snapshot watch.
  void Start();
  // Stops both and cancels the outgoing calls in flight. Idempotent.
  void Stop();

  // Asks ingest to reload its data folder first when `reload_data`, then rebuilds the views from
  // the current snapshot and rules whether or not they changed. Blocks; every outgoing call is
  // bounded by `scope`. DEADLINE_EXCEEDED when another refresh holds the lock past the deadline.
  absl::StatusOr<RefreshReport> RefreshNow(const CallScope& scope, bool reload_data);

  // True while a refresh talks to ingest and scoring: background work (the risk-history
  // backfill) waits meanwhile rather than compete for their capacity.
  bool Refreshing() const { return refreshing_.load(std::memory_order_relaxed); }

 private:
  enum class Mode { kIfChanged, kAlways };
  struct Attempt;
  class TrackedContext;

  absl::StatusOr<RefreshReport> RunLocked(const CallScope& scope, bool reload_data, Mode mode)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(refresh_mu_);
  absl::StatusOr<Attempt> Try(const CallScope& scope, bool reload_data, Mode mode)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(refresh_mu_);
  absl::StatusOr<std::shared_ptr<const viewsets::ViewSet>> Rebuild(const CallScope& scope,
                                                                   const v1::SnapshotInfo& info)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(refresh_mu_);
  // One ScoreBatch call's answer: an assessment per customer, the model's second opinion where
  // scoring gave one, and the rules scoring answered with.
  struct BatchScores {
    std::vector<scoring::Assessment> assessments;
    std::vector<std::optional<reports::SecondOpinion>> opinions;
    std::string rules_sha256;
    int64_t loaded_at_seconds = 0;  // of those rules
    int32_t loaded_at_nanos = 0;
  };
  // What scored a customer: the rules hash and their load time (a new model only comes with a
  // scoring restart, which loads the rules anew).
  struct ScoredBy {
    std::string rules_sha256;
    int64_t loaded_at_seconds = 0;
    int32_t loaded_at_nanos = 0;
    bool operator==(const ScoredBy&) const = default;
  };
  // Scores signals[positions[begin..end)] through one ScoreBatch call (compact form) into `out`,
  // the assessments read by `reader` (one per scoring thread: the rows share their equal texts).
  absl::Status ScoreOneBatch(const CallScope& scope, const std::vector<CustomerSignals>& signals,
                             const std::vector<uint32_t>& positions, size_t begin, size_t end,
                             convert::CompactAssessmentReader* reader, BatchScores* out);
  // Scores signals[positions] a few batches in flight at once: assessed[i] is positions[i]'s.
  // ABORTED when the batches were answered by different rules.
  struct Scored {
    std::vector<scoring::Assessment> assessments;
    std::vector<std::optional<reports::SecondOpinion>> opinions;
    ScoredBy by;
  };
  absl::StatusOr<Scored> ScoreAll(const CallScope& scope,
                                  const std::vector<CustomerSignals>& signals,
                                  const std::vector<uint32_t>& positions);
  // The signals of `info` as streamed: a delta against the last build's views when ingest can
  // give one or a full stream was folded into one (`delta` set: the changed signals and the
  // removed ids), else every customer's.
  struct Streamed {
    bool delta = false;
    std::vector<CustomerSignals> signals;
    std::vector<std::string> removed;
  };
  // Sets `streamed_info`.
  absl::StatusOr<Streamed> StreamSignals(const CallScope& scope, const v1::SnapshotInfo& info,
                                         v1::SnapshotInfo* streamed_info)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(refresh_mu_);
  absl::StatusOr<v1::GetRulesResponse> GetRules(const CallScope& scope);
  // Rule id -> Drivers label of the rules with that hash, parsed from scoring's GetRules (or from
  // `known` when it is that answer) once per hash. ABORTED when the rules changed meanwhile.
  using RuleLabelMap = std::map<std::string, std::string>;
  absl::StatusOr<RuleLabelMap> RuleLabelsFor(const CallScope& scope,
                                             const std::string& rules_sha256,
                                             const std::optional<v1::GetRulesResponse>& known)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(refresh_mu_);
  void PollLoop() ABSL_LOCKS_EXCLUDED(refresh_mu_, poll_mu_);
  void PollNow() ABSL_LOCKS_EXCLUDED(poll_mu_);
  void UpdateFreshnessMetrics();

  // Outgoing contexts are tracked so Stop() can cancel them.
  std::unique_ptr<grpc::ClientContext> NewContext(const CallScope& scope,
                                                  std::chrono::milliseconds timeout);
  void Forget(grpc::ClientContext* context);

  const RefreshOptions options_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
  std::unique_ptr<v1::ScoringService::Stub> scoring_;
  ChurnIntentSource churn_intent_;
  viewsets::ViewStore* store_;
  GatewayMetrics* metrics_;
  PublishedCallback on_published_;

  concurrency::TimedMutex refresh_mu_;  // one refresh at a time
  std::atomic<bool> refreshing_{false};
  // Log a failure once, not every poll.
  std::string last_logged_error_ ABSL_GUARDED_BY(refresh_mu_);
  bool views_bytes_logged_ ABSL_GUARDED_BY(refresh_mu_) = false;  // views_bytes: once
  std::string labels_sha256_ ABSL_GUARDED_BY(refresh_mu_);  // the rules rule_labels_ are of
  RuleLabelMap rule_labels_ ABSL_GUARDED_BY(refresh_mu_);
  // What the last views were built from, for the next refresh to reuse.
  struct LastBuild {
    std::shared_ptr<const viewsets::ViewSet> views;
    ScoredBy scored_by;
    StreamedIntent streamed_intent;  // ingest's churn intent where the merge raised it
  };
  std::optional<LastBuild> last_build_ ABSL_GUARDED_BY(refresh_mu_);
  // Texts of the rules for ScoreBatch's compact form, shared by the batches in flight.
  concurrency::Mutex expander_mu_;
  convert::CompactResponseExpander expander_ ABSL_GUARDED_BY(expander_mu_);

  concurrency::Mutex contexts_mu_;
  std::set<grpc::ClientContext*> contexts_ ABSL_GUARDED_BY(contexts_mu_);
  bool stopping_ ABSL_GUARDED_BY(contexts_mu_) = false;

  concurrency::Mutex poll_mu_;
  concurrency::CondVar poll_wake_;
  bool poll_stop_ ABSL_GUARDED_BY(poll_mu_) = false;
  bool poll_now_ ABSL_GUARDED_BY(poll_mu_) = false;  // ingest published: poll before the interval
  std::thread poller_;
  IngestSnapshotWatch snapshot_watch_;
};

}  // namespace churn::gateway
