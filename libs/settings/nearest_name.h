#pragma once
// "Did you mean": the known name closest to a misspelt one.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace churn::settings {

// The name of `known` with the fewest single-character edits from `name`, when
// that is few enough to be a typo (at most a third of the name's length, at
// least 1); nullopt otherwise.
std::optional<std::string> NearestName(std::string_view name,
                                       const std::vector<std::string>& known);

}  // namespace churn::settings
