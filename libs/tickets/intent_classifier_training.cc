#include "tickets/intent_classifier_training.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace churn::tickets {
namespace {

struct Example {
  std::vector<IntentFeature> inputs;
  double label = 0.0;
};

std::vector<Example> ExamplesOf(const std::vector<LabelledTicket>& tickets,
                                const IntentInputOptions& inputs) {
  std::vector<Example> examples;
  examples.reserve(tickets.size());
  for (const LabelledTicket& ticket : tickets) {
    examples.push_back({ClassifierInputs(ticket.text, inputs), ticket.churn_intent ? 1.0 : 0.0});
  }
  return examples;
}

IntentClassifier Train(const std::vector<Example>& examples, const IntentTrainingOptions& options) {
  IntentClassifier model;
  model.inputs = options.inputs;
  if (examples.empty()) return model;
  // Only the inputs some ticket has can move away from 0; the loops below visit just those.
  std::vector<uint32_t> active;
  for (const Example& example : examples) {
    for (const IntentFeature& input : example.inputs) active.push_back(input.index);
  }
  std::sort(active.begin(), active.end());
  active.erase(std::unique(active.begin(), active.end()), active.end());

  // Every input vector has length <= sqrt(2) (unit-length words plus the phrase input), so the
  // loss gradient is Lipschitz with constant <= 2/4 + l2 and 1/L is a safe step.
  const double step = 1.0 / (0.5 + options.l2);
  const double n = static_cast<double>(examples.size());
  const size_t size = model.weights.size();
  std::vector<double> w(size, 0.0), previous_w(size, 0.0), lookahead(size, 0.0), gradient(size);
  double b = 0.0, previous_b = 0.0;
  for (int iteration = 1; iteration <= options.iterations; ++iteration) {
    // Nesterov's momentum: evaluate the gradient at w + (k-1)/(k+2) (w - w_prev).
    const double momentum = (iteration - 1.0) / (iteration + 2.0);
    for (uint32_t j : active) {
      lookahead[j] = w[j] + momentum * (w[j] - previous_w[j]);
      gradient[j] = options.l2 * lookahead[j];
    }
    const double lookahead_b = b + momentum * (b - previous_b);
    double gradient_b = 0.0;
    for (const Example& example : examples) {
      double score = lookahead_b;
      for (const IntentFeature& input : example.inputs)
        score += lookahead[input.index] * input.value;
      const double error = (1.0 / (1.0 + std::exp(-score)) - example.label) / n;
      for (const IntentFeature& input : example.inputs)
        gradient[input.index] += error * input.value;
      gradient_b += error;
    }
    for (uint32_t j : active) {
      previous_w[j] = w[j];
      w[j] = lookahead[j] - step * gradient[j];
    }
    previous_b = b;
    b = lookahead_b - step * gradient_b;
  }
  model.weights = std::move(w);
  model.bias = b;
  return model;
}

}  // namespace

IntentClassifier TrainIntentClassifier(const std::vector<LabelledTicket>& tickets,
                                       const IntentTrainingOptions& options) {
  return Train(ExamplesOf(tickets, options.inputs), options);
}

std::vector<IntentCandidate> IntentCandidates() {
  std::vector<IntentCandidate> candidates = {{IntentDetectorKind::kPhraseRules, {}}};
  for (IntentDetectorKind kind : kIntentDetectorKinds) {
    if (kind == IntentDetectorKind::kPhraseRules) continue;
    for (int variant = 0; variant < 8; ++variant) {
      const IntentFeatureOptions words{.word_stems = (variant & 1) != 0,
                                       .negation_scope = (variant & 2) != 0,
                                       .drop_function_words = (variant & 4) != 0};
      for (double l2 : kIntentL2Grid) {
        IntentCandidate candidate{kind, {.l2 = l2}};
        candidate.training.inputs = {
            .words = words,
            .phrase_feature = kind == IntentDetectorKind::kClassifierWithPhraseFeature};
        candidates.push_back(candidate);
      }
    }
  }
  return candidates;
}

IntentDetectorChoice ChooseIntentDetector(const std::vector<LabelledTicket>& tickets, int folds) {
  IntentDetectorChoice choice;
  double best_f1 = -1.0;
  for (const IntentCandidate& candidate : IntentCandidates()) {
    IntentCandidateScore score{candidate, {}};
    for (int fold = 0; fold < folds; ++fold) {
      std::vector<LabelledTicket> fit, check;
      for (size_t i = 0; i < tickets.size(); ++i) {
        (static_cast<int>(i % folds) == fold ? check : fit).push_back(tickets[i]);
      }
      const IntentClassifier classifier = candidate.kind == IntentDetectorKind::kPhraseRules
                                              ? IntentClassifier{}
                                              : TrainIntentClassifier(fit, candidate.training);
      score.confusion.Add(EvaluateIntent(check, [&](std::string_view text) {
        return DetectIntent(candidate.kind, classifier, text);
      }));
    }
    if (score.confusion.f1() > best_f1) {
      best_f1 = score.confusion.f1();
      choice.chosen = candidate;
    }
    choice.candidates.push_back(score);
  }
  return choice;
}

}  // namespace churn::tickets
