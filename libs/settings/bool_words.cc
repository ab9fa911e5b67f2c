#include "settings/bool_words.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace churn::settings {

std::optional<bool> ParseBoolWord(std::string_view text) {
  for (const char* word : {"true", "1", "yes", "on"}) {
    if (absl::EqualsIgnoreCase(absl::string_view(text.data(), text.size()), word)) return true;
  }
  for (const char* word : {"false", "0", "no", "off"}) {
    if (absl::EqualsIgnoreCase(absl::string_view(text.data(), text.size()), word)) return false;
  }
  return std::nullopt;
}

}  // namespace churn::settings
