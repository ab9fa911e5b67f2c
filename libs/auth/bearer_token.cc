#include "auth/bearer_token.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "status/status_macros.h"

namespace churn::auth {

Caller AnonymousCaller() { return Caller{"anonymous", Role::kAdmin}; }

std::optional<std::string_view> BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return std::nullopt;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (absl::ascii_tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) {
      return std::nullopt;
    }
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && absl::ascii_isspace(static_cast<unsigned char>(token.front()))) {
    token.remove_prefix(1);
  }
  while (!token.empty() && absl::ascii_isspace(static_cast<unsigned char>(token.back()))) {
    token.remove_suffix(1);
  }
  if (token.empty()) return std::nullopt;
  return token;
}

absl::Status CheckPermission(const Caller& caller, Permission permission) {
  if (RoleGrants(caller.role, permission)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("the role '", std::string(RoleName(caller.role)),
                                                  "' does not grant ",
                                                  std::string(PermissionName(permission))));
}

absl::StatusOr<Caller> Authorize(const CallerRegistry* registry, std::string_view authorization,
                                 Permission permission) {
  if (registry == nullptr) return AnonymousCaller();
  std::optional<Caller> caller;
  if (std::optional<std::string_view> token = BearerToken(authorization)) {
    caller = registry->Find(*token);
  }
  if (permission == Permission::kOpen) return caller ? *caller : AnonymousCaller();
  if (!caller) {
    return absl::UnauthenticatedError(
        "a valid bearer token is required (Authorization: Bearer <token>)");
  }
  CHURN_RETURN_IF_ERROR(CheckPermission(*caller, permission));
  return *caller;
}

}  // namespace churn::auth
