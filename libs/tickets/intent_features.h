#pragma once
// The words a ticket's intent classifier sees: hashed word unigrams and bigrams.
//
// Text is lower-cased and split into words ("n't" becomes the word "not", so "won't renew" and
// "will not renew" share "not renew"); bigrams do not cross clause ends (. , ; : ! ? and line
// ends). Lines that quote an earlier message ("> ...") are left out: the customer's newest words
// decide, not the history they reply to. The "Subject:" label CombineSubjectAndBody writes is not
// a word of the ticket.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace churn::tickets {

// Features are hashed into 2^14 slots (collisions are rare at this vocabulary size).
inline constexpr int kIntentFeatureBits = 14;
inline constexpr uint32_t kIntentHashedFeatures = 1u << kIntentFeatureBits;

struct IntentFeature {
  uint32_t index;  // < kIntentHashedFeatures
  double value;
};

// Variants the trainer compares by cross-validation.
struct IntentFeatureOptions {
  // Words of 6+ letters also count by their first 5 ("cancelling", "cancellation" and the typo
  // "cancellaton" share "cance").
  bool word_stems = false;
  // Up to 3 words after "not", "no", "never" or "without" in the same clause count as negated
  // words ("not cancel" differs from "cancel").
  bool negation_scope = false;
  // Function words ("we", "the", "and") are no unigrams, and two of them no bigram ("we are"),
  // only parts of bigrams with a content word ("we leave"): on a few hundred tickets their
  // weights would say more about who wrote the set than about intent.
  bool drop_function_words = false;

  friend bool operator==(const IntentFeatureOptions&, const IntentFeatureOptions&) = default;
};

// The words of `text`, in order, as described above, with "." marking each clause end.
std::vector<std::string> IntentWords(std::string_view text);

// The distinct hashed unigrams and bigrams of `text`, sorted by index, each with value
// 1/sqrt(count) so that every ticket's feature vector has length 1 (long threads do not
// outweigh terse tickets).
std::vector<IntentFeature> IntentFeatures(std::string_view text,
                                          const IntentFeatureOptions& options = {});

}  // namespace churn::tickets
