#pragma once
// churn.v1.GatewayService: the thin gRPC adapter over GatewayApi (views and outcomes),
// RefreshOrchestrator (Refresh) and TicketAnalyzer (the Ticket Analyzer calls). Quick calls are
// answered on the callback thread; calls that wait on neighbours either use the async client
// API (AnalyzeTicketText) or run on the service's bounded executor (Refresh, AnalyzeTicketSet).

#include "churn/v1/gateway.grpc.pb.h"
#include "concurrency/bounded_executor.h"
#include "data_set_relay.h"
#include "gateway_api.h"
#include "model_quality.h"
#include "refresh_orchestrator.h"
#include "ticket_analyzer.h"

namespace churn::gateway {

class GatewayService final : public v1::GatewayService::CallbackService {
 public:
  GatewayService(GatewayApi* api, RefreshOrchestrator* refresher, TicketAnalyzer* analyzer,
                 concurrency::BoundedExecutor* executor);

  grpc::ServerUnaryReactor* GetExecutive(grpc::CallbackServerContext* context,
                                         const v1::GetExecutiveRequest* request,
                                         v1::GetExecutiveResponse* response) override;
  grpc::ServerUnaryReactor* GetDrivers(grpc::CallbackServerContext* context,
                                       const v1::GetDriversRequest* request,
                                       v1::GetDriversResponse* response) override;
  grpc::ServerUnaryReactor* ListAtRisk(grpc::CallbackServerContext* context,
                                       const v1::ListAtRiskRequest* request,
                                       v1::ListAtRiskResponse* response) override;
  grpc::ServerUnaryReactor* GetCustomerBrief(grpc::CallbackServerContext* context,
                                             const v1::GetCustomerBriefRequest* request,
                                             v1::GetCustomerBriefResponse* response) override;
  grpc::ServerUnaryReactor* Refresh(grpc::CallbackServerContext* context,
                                    const v1::RefreshRequest* request,
                                    v1::RefreshResponse* response) override;
  grpc::ServerUnaryReactor* AnalyzeTicketText(grpc::CallbackServerContext* context,
                                              const v1::AnalyzeTicketTextRequest* request,
                                              v1::AnalyzeTicketTextResponse* response) override;
  grpc::ServerWriteReactor<v1::AnalyzeTicketSetResponse>* AnalyzeTicketSet(
      grpc::CallbackServerContext* context, const v1::AnalyzeTicketSetRequest* request) override;
  grpc::ServerUnaryReactor* RecordOutcome(grpc::CallbackServerContext* context,
                                          const v1::RecordOutcomeRequest* request,
                                          v1::RecordOutcomeResponse* response) override;
  grpc::ServerUnaryReactor* ListOutcomes(grpc::CallbackServerContext* context,
                                         const v1::ListOutcomesRequest* request,
                                         v1::ListOutcomesResponse* response) override;
  grpc::ServerUnaryReactor* GetModelQuality(grpc::CallbackServerContext* context,
                                            const v1::GetModelQualityRequest* request,
                                            v1::GetModelQualityResponse* response) override;
  grpc::ServerUnaryReactor* WhatIfRules(grpc::CallbackServerContext* context,
                                        const v1::WhatIfRulesRequest* request,
                                        v1::WhatIfRulesResponse* response) override;
  grpc::ServerUnaryReactor* ApplyRules(grpc::CallbackServerContext* context,
                                       const v1::ApplyRulesRequest* request,
                                       v1::ApplyRulesResponse* response) override;

  // The Model quality calls (UNIMPLEMENTED while not set); set before serving.
  void set_model_quality(ModelQuality* model_quality) { model_quality_ = model_quality; }
  // Data sets (gateway_data_sets.cc); UNAVAILABLE until set_data_sets.
  grpc::ServerUnaryReactor* UploadDataSet(grpc::CallbackServerContext* context,
                                          const v1::UploadDataSetFilesRequest* request,
                                          v1::UploadDataSetResponse* response) override;
  grpc::ServerUnaryReactor* ListDataSets(grpc::CallbackServerContext* context,
                                         const v1::ListDataSetsRequest* request,
                                         v1::ListDataSetsResponse* response) override;
  grpc::ServerUnaryReactor* SelectDataSet(grpc::CallbackServerContext* context,
                                          const v1::SelectDataSetRequest* request,
                                          v1::SelectDataSetResponse* response) override;
  void set_data_sets(DataSetRelay* data_sets) { data_sets_ = data_sets; }

 private:
  GatewayApi* api_;
  RefreshOrchestrator* refresher_;
  TicketAnalyzer* analyzer_;
  concurrency::BoundedExecutor* executor_;
  ModelQuality* model_quality_ = nullptr;
  DataSetRelay* data_sets_ = nullptr;
};

}  // namespace churn::gateway
