#pragma once
// Phrase matching at word starts, as the rule-based ticket analyser reads text.

#include <span>
#include <string_view>

namespace churn::tickets {

// Occurrences of `phrase` in `lowered_text` that start at a word start, so "cancel" also finds
// "cancellation" but not "precancel". An occurrence right after one of `negations` ("do not
// want to ") is not counted.
int CountPhraseAtWordStarts(std::string_view lowered_text, std::string_view phrase,
                            std::span<const std::string_view> negations = {});

}  // namespace churn::tickets
