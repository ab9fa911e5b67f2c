#pragma once
// What a call needs, and which roles grant it. Every RPC of the API has exactly one permission
// (PermissionForMethod); the gateway's HTTP routes name the same permissions, so a role means the
// same thing over gRPC and HTTP.

#include <string_view>

#include "auth/role.h"

namespace churn::auth {

enum class Permission {
  kOpen,            // health checking and reflection: probes and tools need no token
  kReadViews,       // the gateway's views, briefs, outcome list, exports, ticket set list
  kScore,           // the scoring RPCs that compute and read rules
  kReadSnapshots,   // ingest's snapshots, signals, ticket texts, backtests (service-to-service)
  kAnalyzeTickets,  // ticket analyses (enrichment, and through the gateway)
  kRecordOutcomes,  // writing to the outcome log
  kRefresh,         // asking the gateway to re-check its neighbours now
  kReloadData,      // a refresh that makes ingest re-read its folder
  kTryRules,        // what candidate rules would change, nothing applied (DryRunRules, WhatIfRules)
  kManageRules,     // putting rules in force (scoring ReloadRules, gateway ApplyRules)
  kLoadData,        // ingest LoadDataFolder, UploadTable, data set upload and selection
  kAdminOnly,       // anything not listed: a new RPC is never open by accident
};

std::string_view PermissionName(Permission permission);

bool RoleGrants(Role role, Permission permission);

// `method` as gRPC names it: "/churn.v1.ScoringService/ReloadRules"; kAdminOnly when unknown.
Permission PermissionForMethod(std::string_view method);

}  // namespace churn::auth
