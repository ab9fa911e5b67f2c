#include "auth/permission.h"

#include <array>
#include <utility>

namespace churn::auth {
namespace {

using P = Permission;

constexpr std::array<std::pair<std::string_view, Permission>, 38> kMethodPermissions = {{
    {"/churn.v1.GatewayService/GetExecutive", P::kReadViews},
    {"/churn.v1.GatewayService/GetDrivers", P::kReadViews},
    {"/churn.v1.GatewayService/ListAtRisk", P::kReadViews},
    {"/churn.v1.GatewayService/GetCustomerBrief", P::kReadViews},
    {"/churn.v1.GatewayService/ListOutcomes", P::kReadViews},
    {"/churn.v1.GatewayService/RecordOutcome", P::kRecordOutcomes},
    {"/churn.v1.GatewayService/AnalyzeTicketText", P::kAnalyzeTickets},
    {"/churn.v1.GatewayService/AnalyzeTicketSet", P::kAnalyzeTickets},
    // reload_data additionally needs kReloadData, which the gateway checks on the request.
    {"/churn.v1.GatewayService/Refresh", P::kRefresh},
    {"/churn.v1.GatewayService/GetModelQuality", P::kReadViews},
    {"/churn.v1.GatewayService/WhatIfRules", P::kTryRules},
    {"/churn.v1.GatewayService/ApplyRules", P::kManageRules},
    // Data sets: anyone who reads the views sees which exist; upload and select are admin's.
    {"/churn.v1.GatewayService/ListDataSets", P::kReadViews},
    {"/churn.v1.GatewayService/UploadDataSet", P::kLoadData},
    {"/churn.v1.GatewayService/SelectDataSet", P::kLoadData},
    {"/churn.v1.ScoringService/Score", P::kScore},
    {"/churn.v1.ScoringService/ScoreBatch", P::kScore},
    {"/churn.v1.ScoringService/ScoreStream", P::kScore},
    {"/churn.v1.ScoringService/GetRules", P::kScore},
    {"/churn.v1.ScoringService/DryRunRules", P::kTryRules},
    {"/churn.v1.ScoringService/ReloadRules", P::kManageRules},
    {"/churn.v1.IngestService/LoadDataFolder", P::kLoadData},
    {"/churn.v1.IngestService/UploadTable", P::kLoadData},
    {"/churn.v1.IngestService/GetSnapshotInfo", P::kReadSnapshots},
    {"/churn.v1.IngestService/WatchSnapshots", P::kReadSnapshots},
    {"/churn.v1.IngestService/StreamSignals", P::kReadSnapshots},
    {"/churn.v1.IngestService/ListTicketTextSets", P::kReadSnapshots},
    {"/churn.v1.IngestService/StreamTicketTexts", P::kReadSnapshots},
    {"/churn.v1.IngestService/Backtest", P::kReadSnapshots},
    {"/churn.v1.IngestService/ListDataSets", P::kReadSnapshots},
    {"/churn.v1.IngestService/UploadDataSet", P::kLoadData},
    {"/churn.v1.IngestService/SelectDataSet", P::kLoadData},
    {"/churn.v1.EnrichmentService/AnalyzeTicket", P::kAnalyzeTickets},
    {"/churn.v1.EnrichmentService/AnalyzeTickets", P::kAnalyzeTickets},
    {"/grpc.health.v1.Health/Check", P::kOpen},
    {"/grpc.health.v1.Health/Watch", P::kOpen},
    {"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", P::kOpen},
    {"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", P::kOpen},
}};

}  // namespace

std::string_view PermissionName(Permission permission) {
  switch (permission) {
    case P::kOpen: return "open";
    case P::kReadViews: return "read_views";
    case P::kScore: return "score";
    case P::kReadSnapshots: return "read_snapshots";
    case P::kAnalyzeTickets: return "analyze_tickets";
    case P::kRecordOutcomes: return "record_outcomes";
    case P::kRefresh: return "refresh";
    case P::kReloadData: return "reload_data";
    case P::kLoadData: return "load_data";
    case P::kTryRules: return "try_rules";
    case P::kManageRules: return "manage_rules";
    case P::kAdminOnly: return "admin_only";
  }
  return "unknown";
}

bool RoleGrants(Role role, Permission permission) {
  if (permission == P::kOpen) return true;
  switch (role) {
    case Role::kAdmin: return true;
    case Role::kViewer: return permission == P::kReadViews || permission == P::kScore;
    case Role::kCsm:
      return permission == P::kReadViews || permission == P::kScore ||
             permission == P::kAnalyzeTickets || permission == P::kRecordOutcomes ||
             permission == P::kRefresh || permission == P::kTryRules;
    case Role::kService:
      // The gateway's own calls: reads, scoring, analyses, rule dry runs, and what it relays
      // for an admin after checking the admin's token: data loads (ingest also confines those
      // to its data root) and rules put in force (ApplyRules). Never the outcome log.
      return permission == P::kReadViews || permission == P::kScore ||
             permission == P::kReadSnapshots || permission == P::kAnalyzeTickets ||
             permission == P::kLoadData || permission == P::kTryRules ||
             permission == P::kManageRules;
  }
  return false;
}

Permission PermissionForMethod(std::string_view method) {
  for (const auto& [name, permission] : kMethodPermissions) {
    if (name == method) return permission;
  }
  return P::kAdminOnly;
}

}  // namespace churn::auth
