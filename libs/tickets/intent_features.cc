#include "tickets/intent_features.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"

namespace churn::tickets {
namespace {

// FNV-1a: fixed and portable, so the weights trained at build time mean the same at run time.
uint32_t HashFeature(std::string_view kind, std::string_view first, std::string_view second) {
  uint32_t hash = 2166136261u;
  auto mix = [&hash](std::string_view part) {
    for (unsigned char c : part) {
      hash ^= c;
      hash *= 16777619u;
    }
    hash ^= 0xff;  // separator, so ("ab", "c") and ("a", "bc") differ
    hash *= 16777619u;
  };
  mix(kind);
  mix(first);
  mix(second);
  return hash & (kIntentHashedFeatures - 1);
}

bool IsWordByte(unsigned char c) { return absl::ascii_isalnum(c) || c >= 0x80; }

constexpr std::string_view kClauseEnd = ".";

void AppendClauseEnd(std::vector<std::string>* words) {
  if (!words->empty() && words->back() != kClauseEnd) words->push_back(std::string(kClauseEnd));
}

bool IsFunctionWord(std::string_view word) {
  static constexpr std::string_view kFunctionWords[] = {
      "a",    "an",   "the", "and",  "or",   "but",   "of",    "to",  "in",    "on",   "at",
      "for",  "with", "by",  "from", "as",   "is",    "are",   "was", "were",  "be",   "been",
      "am",   "it",   "its", "this", "that", "these", "those", "we",  "our",   "us",   "i",
      "my",   "me",   "you", "your", "they", "their", "them",  "he",  "she",   "his",  "her",
      "have", "has",  "had", "do",   "does", "did",   "so",    "if",  "there", "here", "re",
      "s",    "ve",   "ll",  "d",    "m",    "t"};
  for (std::string_view function_word : kFunctionWords) {
    if (word == function_word) return true;
  }
  return false;
}

bool IsNegation(std::string_view word) {
  return word == "not" || word == "no" || word == "never" || word == "without";
}

// Splits one line into words; "won't" -> "will not", "can't" -> "can not", "isn't" -> "is not".
void AppendWords(std::string_view line, std::vector<std::string>* words) {
  std::string word;
  auto flush = [&] {
    if (!word.empty()) words->push_back(std::move(word));
    word.clear();
  };
  for (size_t i = 0; i < line.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    const bool apostrophe = c == '\'';
    if (apostrophe && i + 1 < line.size() && absl::ascii_tolower(line[i + 1]) == 't' &&
        word.ends_with('n') &&
        (i + 2 == line.size() || !IsWordByte(static_cast<unsigned char>(line[i + 2])))) {
      word.pop_back();
      if (word == "wo") word = "will";
      if (word == "ca") word = "can";
      if (word == "sha") word = "shall";
      flush();
      words->push_back("not");
      ++i;  // the 't'
    } else if (IsWordByte(c)) {
      word.push_back(static_cast<char>(absl::ascii_tolower(c)));
    } else {
      flush();
      if (std::string_view(".,;:!?").find(static_cast<char>(c)) != std::string_view::npos) {
        AppendClauseEnd(words);
      }
    }
  }
  flush();
  AppendClauseEnd(words);
}

}  // namespace

std::vector<std::string> IntentWords(std::string_view text) {
  constexpr std::string_view kSubjectLabel = "Subject: ";
  if (text.starts_with(kSubjectLabel)) text.remove_prefix(kSubjectLabel.size());
  std::vector<std::string> words;
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    const size_t first = line.find_first_not_of(" \t");
    if (first != std::string_view::npos && line[first] == '>') continue;
    // The typographic apostrophe (U+2019) reads as "'".
    std::string plain;
    plain.reserve(line.size());
    for (size_t i = 0; i < line.size(); ++i) {
      if (line.substr(i, 3) == "\xE2\x80\x99") {
        plain.push_back('\'');
        i += 2;
      } else {
        plain.push_back(line[i]);
      }
    }
    AppendWords(plain, &words);
  }
  return words;
}

std::vector<IntentFeature> IntentFeatures(std::string_view text,
                                          const IntentFeatureOptions& options) {
  const std::vector<std::string> words = IntentWords(text);
  std::vector<uint32_t> indices;
  indices.reserve(3 * words.size());
  int negated_words_left = 0;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == kClauseEnd) {
      negated_words_left = 0;
      continue;
    }
    const bool negated = options.negation_scope && negated_words_left > 0;
    if (!options.drop_function_words || !IsFunctionWord(word)) {
      indices.push_back(HashFeature(negated ? "n" : "w", word, ""));
    }
    if (options.word_stems && word.size() >= 6) {
      indices.push_back(HashFeature(negated ? "ns" : "s", std::string_view(word).substr(0, 5), ""));
    }
    if (i + 1 < words.size() && words[i + 1] != kClauseEnd &&
        !(options.drop_function_words && IsFunctionWord(word) && IsFunctionWord(words[i + 1]))) {
      indices.push_back(HashFeature("b", word, words[i + 1]));
    }
    negated_words_left = IsNegation(word) ? 3 : std::max(0, negated_words_left - 1);
  }
  std::sort(indices.begin(), indices.end());
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
  std::vector<IntentFeature> features;
  features.reserve(indices.size());
  const double value = indices.empty() ? 0.0 : 1.0 / std::sqrt(static_cast<double>(indices.size()));
  for (uint32_t index : indices) features.push_back({index, value});
  return features;
}

}  // namespace churn::tickets
