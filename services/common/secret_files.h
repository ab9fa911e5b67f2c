#pragma once
// Reading the operator's secret material (tokens, PEM files) named by config keys. Errors name the
// key and the file, never the content.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace churn::service {

// The whole file; `trim` strips surrounding whitespace (a token file ends with a newline).
// An empty `path` means the setting is not used: an empty string. An empty file is an error.
absl::StatusOr<std::string> ReadSecretFile(std::string_view key, const std::string& path,
                                           bool trim = false);

}  // namespace churn::service
