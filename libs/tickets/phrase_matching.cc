#include "tickets/phrase_matching.h"

#include "absl/strings/ascii.h"

namespace churn::tickets {
namespace {

bool IsWordStart(std::string_view text, size_t position) {
  return position == 0 || !absl::ascii_isalnum(static_cast<unsigned char>(text[position - 1]));
}

bool FollowsNegation(std::string_view text, size_t position,
                     std::span<const std::string_view> negations) {
  for (std::string_view negation : negations) {
    if (text.substr(0, position).ends_with(negation)) return true;
  }
  return false;
}

}  // namespace

int CountPhraseAtWordStarts(std::string_view lowered_text, std::string_view phrase,
                            std::span<const std::string_view> negations) {
  int count = 0;
  for (size_t at = lowered_text.find(phrase); at != std::string_view::npos;
       at = lowered_text.find(phrase, at + 1)) {
    if (IsWordStart(lowered_text, at) && !FollowsNegation(lowered_text, at, negations)) ++count;
  }
  return count;
}

}  // namespace churn::tickets
