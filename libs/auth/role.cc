#include "auth/role.h"

#include "absl/strings/str_cat.h"

namespace churn::auth {

absl::StatusOr<Role> ParseRole(std::string_view name) {
  for (Role role : {Role::kViewer, Role::kCsm, Role::kAdmin, Role::kService}) {
    if (RoleName(role) == name) return role;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("role: expected viewer, csm, admin or service, got '", std::string(name), "'"));
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer: return "viewer";
    case Role::kCsm: return "csm";
    case Role::kAdmin: return "admin";
    case Role::kService: return "service";
  }
  return "viewer";
}

}  // namespace churn::auth
