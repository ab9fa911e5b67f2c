#include "auth/path_guard.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace churn::auth {

absl::StatusOr<std::string> ResolveUnderRoot(const std::string& root, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path base = fs::weakly_canonical(fs::absolute(root, error), error);
  if (error) return absl::FailedPreconditionError("the data root cannot be resolved");
  fs::path candidate = fs::path(path).is_absolute() ? fs::path(path) : base / path;
  // weakly_canonical follows symlinks of the existing part, so a link out of the root is caught.
  const fs::path resolved = fs::weakly_canonical(candidate, error);
  if (error) return absl::InvalidArgumentError("the folder cannot be resolved");
  auto [root_end, ignored] =
      std::mismatch(base.begin(), base.end(), resolved.begin(), resolved.end());
  if (root_end != base.end()) {
    return absl::PermissionDeniedError("the folder is outside the data root this service may read");
  }
  return resolved.string();
}

}  // namespace churn::auth
