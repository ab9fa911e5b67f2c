#pragma once
// A logistic-regression classifier of cancellation intent over hashed word unigrams and bigrams
// (tickets/intent_features.h), and the detectors that can be built from it and the phrase rules.

#include <string_view>
#include <vector>

#include "tickets/intent_features.h"

namespace churn::tickets {

// The candidates the trainer compares by cross-validation on the train split.
enum class IntentDetectorKind {
  kPhraseRules,                  // the phrase rules alone (tickets/churn_intent_phrases.h)
  kClassifier,                   // the classifier alone
  kClassifierOrPhraseRules,      // intent when either says so
  kClassifierWithPhraseFeature,  // the classifier, given "a phrase rule fired" as one more input
};
inline constexpr IntentDetectorKind kIntentDetectorKinds[] = {
    IntentDetectorKind::kPhraseRules, IntentDetectorKind::kClassifier,
    IntentDetectorKind::kClassifierOrPhraseRules, IntentDetectorKind::kClassifierWithPhraseFeature};

std::string_view IntentDetectorKindName(IntentDetectorKind kind);

// Index of the phrase-rule input, after the hashed word features.
inline constexpr uint32_t kPhraseRuleFeature = kIntentHashedFeatures;

struct IntentInputOptions {
  IntentFeatureOptions words;
  bool phrase_feature = false;  // whether kPhraseRuleFeature is an input
};

struct IntentClassifier {
  std::vector<double> weights = std::vector<double>(kIntentHashedFeatures + 1, 0.0);
  double bias = 0.0;
  IntentInputOptions inputs;
};

// The classifier's inputs for `text`: the hashed words, plus kPhraseRuleFeature (value 1) when
// `options.phrase_feature` and a phrase rule fires.
std::vector<IntentFeature> ClassifierInputs(std::string_view text,
                                            const IntentInputOptions& options);

double IntentProbability(const IntentClassifier& classifier,
                         const std::vector<IntentFeature>& inputs);
double IntentProbability(const IntentClassifier& classifier, std::string_view text);

// Whether `kind` finds intent in `text` (the classifier at probability >= 0.5).
bool DetectIntent(IntentDetectorKind kind, const IntentClassifier& classifier,
                  std::string_view text);

}  // namespace churn::tickets
