#pragma once
// churn.v1.ScoringService: a thin gRPC adapter over libs/scoring. It validates and converts the
// request (proto/convert), scores against the rules in force (RulesStore) and
// converts back; rule logic never lives here.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "churn/v1/scoring.grpc.pb.h"
#include "churnmodel/churn_model.h"
#include "concurrency/mutex.h"
#include "rules_store.h"
#include "scoring_metrics.h"

namespace churn::scoring_service {

struct ScoringServiceOptions {
  std::string rules_file;     // empty: the built-in defaults
  int64_t max_batch = 10000;  // customers per request (ScoreBatch, ScoreStream message, DryRun)
  int64_t max_rules_bytes = 1 << 20;
  // A trained model (loaded at start): its second opinion beside the rules; null: none.
  std::shared_ptr<const churnmodel::ChurnModel> model;
};

// The unary methods are served through gRPC's async API (a CompletionQueueServer's threads call
// the methods below, see main.cc), ScoreStream through the sync API: no callback method, so gRPC
// never starts its callback threads, which would join every poller hand-off and cost each call
// a wake-up and a context switch more (bench/scoring_load/README.md).
using ScoringServiceBase = v1::ScoringService::WithAsyncMethod_Score<
    v1::ScoringService::WithAsyncMethod_ScoreBatch<v1::ScoringService::WithAsyncMethod_GetRules<
        v1::ScoringService::WithAsyncMethod_DryRunRules<
            v1::ScoringService::WithAsyncMethod_ReloadRules<v1::ScoringService::Service>>>>>;

class ScoringService final : public ScoringServiceBase {
 public:
  ScoringService(ScoringServiceOptions options, prometheus::Registry& registry);

  // Runs once, when rules first come into force (the service becomes ready).
  void SetOnReady(std::function<void()> on_ready) { on_ready_ = std::move(on_ready); }
  // (Re)loads the configured rules file; on failure the rules in force (if any) stay.
  absl::Status LoadConfiguredRules();

  // Score: one customer against the rules in force (and the model's opinion when it has long
  // views). CPU-only and a few microseconds, so it runs on the thread that took the call.
  absl::Status ScoreOne(const v1::ScoreRequest& request, v1::ScoreResponse* response);
  // The other unary methods; each leaves `response` empty on error.
  absl::Status AnswerScoreBatch(const v1::ScoreBatchRequest& request,
                                v1::ScoreBatchResponse* response);
  absl::Status AnswerGetRules(v1::GetRulesResponse* response);
  absl::Status AnswerDryRunRules(const v1::DryRunRulesRequest& request,
                                 v1::DryRunRulesResponse* response);
  absl::Status AnswerReloadRules(const v1::ReloadRulesRequest& request,
                                 v1::ReloadRulesResponse* response);
  grpc::Status ScoreStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::ScoreStreamResponse, v1::ScoreStreamRequest>* stream) override;

  // Validates `customers` (at most max_batch; errors name "<field>[i].<signal>") and scores
  // them in order with the rules in force. Shared by Score, ScoreBatch and ScoreStream.
  // With a model and `opinions`, also its opinion of each customer that carries long views.
  absl::Status ScoreCustomers(
      ScoringMethod method,
      const google::protobuf::RepeatedPtrField<v1::CustomerSignals>& customers,
      std::string_view field, google::protobuf::RepeatedPtrField<v1::RiskAssessment>* assessments,
      v1::RulesInfo* rules_info, v1::LevelCounts* level_counts,
      google::protobuf::RepeatedPtrField<v1::ModelOpinion>* opinions = nullptr);

 private:
  // ScoreBatch's compact form: numbers per customer, the texts when the client lacks them.
  absl::Status ScoreCompact(const v1::ScoreBatchRequest& request, v1::ScoreBatchResponse* response);
  // The model's opinions of the `customers` that carry long views, in order.
  absl::Status AddModelOpinions(const std::vector<CustomerSignals>& customers,
                                google::protobuf::RepeatedPtrField<v1::ModelOpinion>* opinions);
  // UNAVAILABLE until rules are loaded.
  absl::StatusOr<std::shared_ptr<const LoadedRules>> RulesInForce() const;
  // Publishes `loaded` when it parsed; counts the attempt; sets *changed when the hash differs.
  absl::Status Publish(absl::StatusOr<std::shared_ptr<const LoadedRules>> loaded,
                       std::shared_ptr<const LoadedRules>* published, bool* changed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);

  const ScoringServiceOptions options_;
  ScoringMetrics metrics_;
  RulesStore rules_;
  concurrency::Mutex reload_mu_;  // one reload at a time, so "changed" and the logs tell the truth
  std::atomic<bool> ready_{false};
  std::function<void()> on_ready_;
};

}  // namespace churn::scoring_service
