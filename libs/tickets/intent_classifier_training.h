#pragma once
// Training the intent classifier, and choosing the detector, from labelled tickets only.
// Deterministic: the same tickets give bit-identical weights (full-batch gradient descent in a
// fixed order, no randomness, no threads).

#include <vector>

#include "tickets/intent_classifier.h"
#include "tickets/intent_evaluation.h"
#include "tickets/labelled_tickets.h"

namespace churn::tickets {

struct IntentTrainingOptions {
  double l2 = 1e-3;      // L2 penalty on the word weights (not on the bias)
  int iterations = 400;  // of accelerated gradient descent on the mean log loss
  IntentInputOptions inputs = {};
};

IntentClassifier TrainIntentClassifier(const std::vector<LabelledTicket>& tickets,
                                       const IntentTrainingOptions& options);

// One detector to compare: its kind and, unless kPhraseRules, how its classifier is trained.
struct IntentCandidate {
  IntentDetectorKind kind = IntentDetectorKind::kPhraseRules;
  IntentTrainingOptions training;
};

struct IntentCandidateScore {
  IntentCandidate candidate;
  IntentConfusion confusion;  // pooled over the folds
};

struct IntentDetectorChoice {
  IntentCandidate chosen;
  std::vector<IntentCandidateScore> candidates;  // every candidate, in the order tried
};

inline constexpr double kIntentL2Grid[] = {1e-5, 1e-4, 1e-3};
inline constexpr int kIntentFolds = 5;

// The candidates, simplest first: the phrase rules, then every classifier-based kind with every
// feature variant and L2 value.
std::vector<IntentCandidate> IntentCandidates();

// K-fold cross-validation over `tickets` (ticket i is in fold i % folds) of every candidate; the
// choice has the highest pooled F1, the earlier (simpler) candidate on a tie.
IntentDetectorChoice ChooseIntentDetector(const std::vector<LabelledTicket>& tickets,
                                          int folds = kIntentFolds);

}  // namespace churn::tickets
