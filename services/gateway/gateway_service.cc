#include "gateway_service.h"

#include "auth/bearer_token.h"
#include "common/grpc_status.h"
#include "common/server_security.h"
#include "ticket_set_reactor.h"

namespace churn::gateway {

using service::FinishWith;

GatewayService::GatewayService(GatewayApi* api, RefreshOrchestrator* refresher,
                               TicketAnalyzer* analyzer, concurrency::BoundedExecutor* executor)
    : api_(api), refresher_(refresher), analyzer_(analyzer), executor_(executor) {}

grpc::ServerUnaryReactor* GatewayService::GetExecutive(grpc::CallbackServerContext* context,
                                                       const v1::GetExecutiveRequest* /*request*/,
                                                       v1::GetExecutiveResponse* response) {
  return FinishWith(context, api_->GetExecutive(response));
}

grpc::ServerUnaryReactor* GatewayService::GetDrivers(grpc::CallbackServerContext* context,
                                                     const v1::GetDriversRequest* request,
                                                     v1::GetDriversResponse* response) {
  return FinishWith(context, api_->GetDrivers(*request, response));
}

grpc::ServerUnaryReactor* GatewayService::ListAtRisk(grpc::CallbackServerContext* context,
                                                     const v1::ListAtRiskRequest* request,
                                                     v1::ListAtRiskResponse* response) {
  return FinishWith(context, api_->ListAtRisk(*request, response));
}

grpc::ServerUnaryReactor* GatewayService::GetCustomerBrief(
    grpc::CallbackServerContext* context, const v1::GetCustomerBriefRequest* request,
    v1::GetCustomerBriefResponse* response) {
  return FinishWith(context, api_->GetCustomerBrief(*request, response));
}

grpc::ServerUnaryReactor* GatewayService::Refresh(grpc::CallbackServerContext* context,
                                                  const v1::RefreshRequest* request,
                                                  v1::RefreshResponse* response) {
  const bool reload = request->reload_data();
  if (reload) {
    absl::Status allowed =
        auth::CheckPermission(service::CallerOf(*context), auth::Permission::kReloadData);
    if (!allowed.ok()) return FinishWith(context, allowed);
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const CallScope scope = CallScope::ForRpc(context);
  absl::Status queued = executor_->Submit([this, reactor, scope, reload, response] {
    absl::StatusOr<RefreshReport> report = refresher_->RefreshNow(scope, reload);
    if (!report.ok()) {
      reactor->Finish(service::ToGrpcStatus(report.status()));
      return;
    }
    api_->FillFreshness(report->views.get(), response->mutable_freshness());
    *response->mutable_snapshot() = report->snapshot;
    response->set_changed(report->changed);
    reactor->Finish(grpc::Status::OK);
  });
  if (!queued.ok()) reactor->Finish(service::ToGrpcStatus(queued));
  return reactor;
}

grpc::ServerUnaryReactor* GatewayService::AnalyzeTicketText(
    grpc::CallbackServerContext* context, const v1::AnalyzeTicketTextRequest* request,
    v1::AnalyzeTicketTextResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  analyzer_->AnalyzeAsync(CallScope::ForRpc(context), *request, response,
                          [reactor](absl::Status status) {
                            reactor->Finish(service::ToGrpcStatus(status));
                          });
  return reactor;
}

grpc::ServerWriteReactor<v1::AnalyzeTicketSetResponse>* GatewayService::AnalyzeTicketSet(
    grpc::CallbackServerContext* context, const v1::AnalyzeTicketSetRequest* request) {
  return StartTicketSetStream(context, *request, analyzer_, executor_);
}

grpc::ServerUnaryReactor* GatewayService::RecordOutcome(grpc::CallbackServerContext* context,
                                                        const v1::RecordOutcomeRequest* request,
                                                        v1::RecordOutcomeResponse* response) {
  return FinishWith(context,
                    api_->RecordOutcome(*request, service::CallerOf(*context).name, response));
}

grpc::ServerUnaryReactor* GatewayService::ListOutcomes(grpc::CallbackServerContext* context,
                                                       const v1::ListOutcomesRequest* request,
                                                       v1::ListOutcomesResponse* response) {
  return FinishWith(context, api_->ListOutcomes(*request, response));
}

namespace {

// Runs `call(scope)` on the executor and finishes the RPC with its status.
template <typename Call>
grpc::ServerUnaryReactor* OnExecutor(grpc::CallbackServerContext* context,
                                     concurrency::BoundedExecutor* executor, Call call) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const CallScope scope = CallScope::ForRpc(context);
  absl::Status queued = executor->Submit(
      [reactor, scope, call] { reactor->Finish(service::ToGrpcStatus(call(scope))); });
  if (!queued.ok()) reactor->Finish(service::ToGrpcStatus(queued));
  return reactor;
}

absl::Status NoModelQuality() {
  return absl::UnimplementedError("this gateway serves no Model quality calls");
}

}  // namespace

grpc::ServerUnaryReactor* GatewayService::GetModelQuality(grpc::CallbackServerContext* context,
                                                          const v1::GetModelQualityRequest* request,
                                                          v1::GetModelQualityResponse* response) {
  if (model_quality_ == nullptr) return FinishWith(context, NoModelQuality());
  return OnExecutor(context, executor_, [this, request, response](const CallScope& scope) {
    return model_quality_->GetModelQuality(scope, *request, response);
  });
}

grpc::ServerUnaryReactor* GatewayService::WhatIfRules(grpc::CallbackServerContext* context,
                                                      const v1::WhatIfRulesRequest* request,
                                                      v1::WhatIfRulesResponse* response) {
  if (model_quality_ == nullptr) return FinishWith(context, NoModelQuality());
  return OnExecutor(context, executor_, [this, request, response](const CallScope& scope) {
    return model_quality_->WhatIfRules(scope, *request, response);
  });
}

grpc::ServerUnaryReactor* GatewayService::ApplyRules(grpc::CallbackServerContext* context,
                                                     const v1::ApplyRulesRequest* request,
                                                     v1::ApplyRulesResponse* response) {
  if (model_quality_ == nullptr) return FinishWith(context, NoModelQuality());
  const std::string applied_by = service::CallerOf(*context).name;
  return OnExecutor(context, executor_,
                    [this, request, response, applied_by](const CallScope& scope) {
                      return model_quality_->ApplyRules(scope, *request, applied_by, response);
                    });
}

}  // namespace churn::gateway
