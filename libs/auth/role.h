#pragma once
// The roles a caller can hold. People: viewer (reads the views) < csm (also records outcomes and
// analyses tickets) < admin (also rules, data loads and uploads). `service` is what the services
// present to each other: the internal reads and the calls the gateway relays, nothing more.

#include <string_view>

#include "absl/status/statusor.h"

namespace churn::auth {

enum class Role { kViewer, kCsm, kAdmin, kService };

// "viewer", "csm", "admin", "service" (case-sensitive, as written in the tokens file).
absl::StatusOr<Role> ParseRole(std::string_view name);
std::string_view RoleName(Role role);

}  // namespace churn::auth
