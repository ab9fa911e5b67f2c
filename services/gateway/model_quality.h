#pragma once
// The analyst's loop behind the dashboard's Model quality tab: how well the rules in force
// would have warned (ingest's backtest of scoring's current rules), what candidate rules would
// change (scoring's dry run over the current customers: who changes level; ingest's backtest
// of both rule sets: how precision and lift move), and putting candidate rules in force
// (scoring ReloadRules, then a rebuild of the views). The backtest runs in ingest, where the
// history is; the gateway only holds today's signals.
//
// Blocking: callers run these on the executor (gRPC) or an admitted HTTP thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "call_scope.h"
#include "churn/v1/gateway.pb.h"
#include "churn/v1/ingest.grpc.pb.h"
#include "churn/v1/scoring.grpc.pb.h"
#include "gateway_api.h"
#include "refresh_orchestrator.h"

namespace churn::gateway {

struct ModelQualityOptions {
  // A backtest that is not cached reads the tables and scores every as-of population.
  std::chrono::milliseconds backtest_deadline{120000};
  std::chrono::milliseconds scoring_deadline{30000};  // GetRules, each DryRunRules batch, reload
  int64_t dry_run_batch_size = 2000;                  // customers per DryRunRules request
  int32_t default_max_customers = 100;
  int32_t max_customers = 1000;
};

class ModelQuality {
 public:
  ModelQuality(ModelQualityOptions options, std::shared_ptr<grpc::Channel> ingest,
               std::shared_ptr<grpc::Channel> scoring, GatewayApi* api,
               RefreshOrchestrator* refresher);

  absl::Status GetModelQuality(const CallScope& scope, const v1::GetModelQualityRequest& request,
                               v1::GetModelQualityResponse* response);
  // Needs the current views (their customers are the dry run's population).
  absl::Status WhatIfRules(const CallScope& scope, const v1::WhatIfRulesRequest& request,
                           v1::WhatIfRulesResponse* response);
  // The caller's right to apply rules is checked by the front ends; `applied_by` (the token's
  // name) is logged with the rules' hash.
  absl::Status ApplyRules(const CallScope& scope, const v1::ApplyRulesRequest& request,
                          const std::string& applied_by, v1::ApplyRulesResponse* response);

 private:
  absl::StatusOr<v1::GetRulesResponse> GetRules(const CallScope& scope);
  absl::StatusOr<v1::BacktestResponse> Backtest(const CallScope& scope,
                                                const v1::BacktestWindow& window,
                                                const std::string& rules_yaml,
                                                const std::string& baseline_rules_yaml);

  const ModelQualityOptions options_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
  std::unique_ptr<v1::ScoringService::Stub> scoring_;
  GatewayApi* api_;
  RefreshOrchestrator* refresher_;
};

}  // namespace churn::gateway
