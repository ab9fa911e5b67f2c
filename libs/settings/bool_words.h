#pragma once
// The one reading of a boolean setting, flag or query parameter: true/false,
// 1/0, yes/no, on/off, in any case.

#include <optional>
#include <string_view>

namespace churn::settings {

// The accepted words, for error messages.
inline constexpr std::string_view kBoolWords = "true/false, 1/0, yes/no or on/off";

// nullopt when `text` is none of kBoolWords (surrounding blanks are not
// trimmed).
std::optional<bool> ParseBoolWord(std::string_view text);

}  // namespace churn::settings
