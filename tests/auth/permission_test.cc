#include "auth/permission.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace churn::auth {
namespace {

TEST(PermissionTest, EveryRoleGrantsWhatItShould) {
  struct Case {
    Permission permission;
    bool viewer, csm, admin, service;
  };
  using P = Permission;
  const std::vector<Case> cases = {
      {P::kOpen, true, true, true, true},
      {P::kReadViews, true, true, true, true},
      {P::kScore, true, true, true, true},
      {P::kReadSnapshots, false, false, true, true},
      {P::kAnalyzeTickets, false, true, true, true},
      {P::kRecordOutcomes, false, true, true, false},
      {P::kRefresh, false, true, true, false},
      {P::kReloadData, false, false, true, false},
      {P::kLoadData, false, false, true, true},
      {P::kTryRules, false, true, true, true},
      {P::kManageRules, false, false, true, true},
      {P::kAdminOnly, false, false, true, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(PermissionName(c.permission)));
    EXPECT_EQ(RoleGrants(Role::kViewer, c.permission), c.viewer);
    EXPECT_EQ(RoleGrants(Role::kCsm, c.permission), c.csm);
    EXPECT_EQ(RoleGrants(Role::kAdmin, c.permission), c.admin);
    EXPECT_EQ(RoleGrants(Role::kService, c.permission), c.service);
  }
}

TEST(PermissionTest, MethodsMapToTheirPermission) {
  EXPECT_EQ(PermissionForMethod("/churn.v1.ScoringService/ReloadRules"), Permission::kManageRules);
  EXPECT_EQ(PermissionForMethod("/churn.v1.ScoringService/DryRunRules"), Permission::kTryRules);
  EXPECT_EQ(PermissionForMethod("/churn.v1.IngestService/Backtest"), Permission::kReadSnapshots);
  EXPECT_EQ(PermissionForMethod("/churn.v1.GatewayService/GetModelQuality"),
            Permission::kReadViews);
  EXPECT_EQ(PermissionForMethod("/churn.v1.GatewayService/WhatIfRules"), Permission::kTryRules);
  EXPECT_EQ(PermissionForMethod("/churn.v1.GatewayService/ApplyRules"), Permission::kManageRules);
  EXPECT_EQ(PermissionForMethod("/churn.v1.IngestService/LoadDataFolder"), Permission::kLoadData);
  EXPECT_EQ(PermissionForMethod("/churn.v1.GatewayService/RecordOutcome"),
            Permission::kRecordOutcomes);
  EXPECT_EQ(PermissionForMethod("/grpc.health.v1.Health/Check"), Permission::kOpen);
  // Unknown and look-alike names are admin-only, never open.
  EXPECT_EQ(PermissionForMethod("/churn.v1.ScoringService/NewThing"), Permission::kAdminOnly);
  EXPECT_EQ(PermissionForMethod("/grpc.health.v1.Health/Check/"), Permission::kAdminOnly);
  EXPECT_EQ(PermissionForMethod(""), Permission::kAdminOnly);
}

TEST(RoleTest, NamesRoundTrip) {
  for (Role role : {Role::kViewer, Role::kCsm, Role::kAdmin, Role::kService}) {
    EXPECT_EQ(*ParseRole(RoleName(role)), role);
  }
  EXPECT_FALSE(ParseRole("Admin").ok());
}

}  // namespace
}  // namespace churn::auth
