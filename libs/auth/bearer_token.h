#pragma once
// The one decision every protected call goes through, over gRPC and HTTP alike: who is calling
// (the bearer token of the Authorization header) and may that caller do this.

#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "auth/caller_registry.h"
#include "auth/permission.h"

namespace churn::auth {

// The caller when authentication is off (no tokens file): a local, single-user set-up.
Caller AnonymousCaller();

// "Bearer <token>" (the scheme in any case) -> the token; nullopt when absent or malformed.
std::optional<std::string_view> BearerToken(std::string_view authorization);

// PERMISSION_DENIED naming the role when it lacks `permission` (for permissions that depend on
// the request, such as a refresh that reloads data).
absl::Status CheckPermission(const Caller& caller, Permission permission);

// `registry` null: authentication is off and everyone is AnonymousCaller().
// UNAUTHENTICATED when the token is missing or unknown (one message for both, so nothing is
// learnt about which tokens exist), PERMISSION_DENIED when the caller's role lacks `permission`.
// kOpen always succeeds (with the caller when the token is valid, else anonymous).
absl::StatusOr<Caller> Authorize(const CallerRegistry* registry, std::string_view authorization,
                                 Permission permission);

}  // namespace churn::auth
