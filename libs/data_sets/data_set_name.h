#pragma once
// The name a data set is listed and selected by, chosen by whoever uploads it. It becomes a folder
// name under the uploads root, so it is checked, never repaired: a refused name says why.

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace churn::data_sets {

inline constexpr size_t kMaxDataSetNameBytes = 64;

// OK for 1 to 64 ASCII letters, digits, '-' and '_', starting with a letter or digit (so never
// "." / "..", never hidden, never a path); INVALID_ARGUMENT otherwise.
absl::Status CheckDataSetName(absl::string_view name);

}  // namespace churn::data_sets
