#pragma once
// Requests that name a server folder (ingest's LoadDataFolder) may only reach inside the folder
// the operator configured, whatever "..", symlinks or absolute paths they use.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace churn::auth {

// `path` resolved (relative paths against `root`), when it is `root` or inside it; otherwise
// PERMISSION_DENIED. The message names neither the root nor the resolved path.
absl::StatusOr<std::string> ResolveUnderRoot(const std::string& root, const std::string& path);

}  // namespace churn::auth
