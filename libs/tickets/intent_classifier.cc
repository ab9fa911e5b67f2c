#include "tickets/intent_classifier.h"

#include <cmath>

#include "tickets/churn_intent_phrases.h"

namespace churn::tickets {

std::string_view IntentDetectorKindName(IntentDetectorKind kind) {
  switch (kind) {
    case IntentDetectorKind::kPhraseRules: return "phrase_rules";
    case IntentDetectorKind::kClassifier: return "classifier";
    case IntentDetectorKind::kClassifierOrPhraseRules: return "classifier_or_phrase_rules";
    case IntentDetectorKind::kClassifierWithPhraseFeature: return "classifier_with_phrase_feature";
  }
  return "unknown";
}

std::vector<IntentFeature> ClassifierInputs(std::string_view text,
                                            const IntentInputOptions& options) {
  std::vector<IntentFeature> inputs = IntentFeatures(text, options.words);
  if (options.phrase_feature && HasCancellationPhrase(text)) {
    inputs.push_back({kPhraseRuleFeature, 1.0});
  }
  return inputs;
}

double IntentProbability(const IntentClassifier& classifier,
                         const std::vector<IntentFeature>& inputs) {
  double score = classifier.bias;
  for (const IntentFeature& input : inputs) score += classifier.weights[input.index] * input.value;
  return 1.0 / (1.0 + std::exp(-score));
}

double IntentProbability(const IntentClassifier& classifier, std::string_view text) {
  return IntentProbability(classifier, ClassifierInputs(text, classifier.inputs));
}

bool DetectIntent(IntentDetectorKind kind, const IntentClassifier& classifier,
                  std::string_view text) {
  switch (kind) {
    case IntentDetectorKind::kPhraseRules: return HasCancellationPhrase(text);
    case IntentDetectorKind::kClassifier:
    case IntentDetectorKind::kClassifierWithPhraseFeature:
      return IntentProbability(classifier, text) >= 0.5;
    case IntentDetectorKind::kClassifierOrPhraseRules:
      return HasCancellationPhrase(text) || IntentProbability(classifier, text) >= 0.5;
  }
  return false;
}

}  // namespace churn::tickets
