// Build step: chooses the cancellation-intent detector by cross-validation on the train split of
// the labelled tickets, trains the classifier on the whole train split, and writes both as C++
// source (shipped_intent_model.cc). The held-out split is never read for this.
//
// Usage: churn_train_intent_classifier --data labelled_tickets.csv --out shipped_intent_model.cc

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

#include "absl/strings/str_format.h"
#include "tickets/intent_classifier_training.h"
#include "tickets/labelled_tickets.h"

namespace {

using churn::tickets::IntentClassifier;
using churn::tickets::IntentDetectorChoice;
using churn::tickets::IntentDetectorKind;

std::string_view EnumeratorOf(IntentDetectorKind kind) {
  switch (kind) {
    case IntentDetectorKind::kPhraseRules: return "kPhraseRules";
    case IntentDetectorKind::kClassifier: return "kClassifier";
    case IntentDetectorKind::kClassifierOrPhraseRules: return "kClassifierOrPhraseRules";
    case IntentDetectorKind::kClassifierWithPhraseFeature: return "kClassifierWithPhraseFeature";
  }
  return "kPhraseRules";
}

std::string Describe(const churn::tickets::IntentCandidate& candidate) {
  std::string kind(churn::tickets::IntentDetectorKindName(candidate.kind));
  if (candidate.kind == IntentDetectorKind::kPhraseRules) return absl::StrFormat("%-73s", kind);
  const auto& words = candidate.training.inputs.words;
  return absl::StrFormat("%-30s stems=%d negation=%d function_words=%d l2=%-6g", kind,
                         words.word_stems, words.negation_scope, !words.drop_function_words,
                         candidate.training.l2);
}

void WriteSource(const IntentDetectorChoice& choice, const IntentClassifier& classifier,
                 size_t train_tickets, std::ostream& out) {
  out << "// Generated at build time by churn_train_intent_classifier from the train split of\n"
         "// libs/tickets/data/labelled_tickets.csv. Do not edit.\n//\n"
      << absl::StrFormat("// %d-fold cross-validation on %d train tickets (pooled over folds):\n",
                         churn::tickets::kIntentFolds, train_tickets);
  for (const auto& score : choice.candidates) {
    out << "//   " << Describe(score.candidate)
        << absl::StrFormat(": precision %.3f recall %.3f F1 %.3f\n", score.confusion.precision(),
                           score.confusion.recall(), score.confusion.f1());
  }
  out << "// Chosen: " << Describe(choice.chosen) << "\n\n";
  out << "#include \"tickets/shipped_intent_detector.h\"\n\n"
         "namespace churn::tickets {\nnamespace {\n\n"
         "struct Weight {\n  uint32_t index;\n  double value;\n};\n\n"
         "// The non-zero weights (%.17g: each double round-trips exactly).\n"
         "constexpr Weight kWeights[] = {\n";
  int written = 0;
  for (size_t index = 0; index < classifier.weights.size(); ++index) {
    if (classifier.weights[index] == 0.0) continue;
    out << absl::StrFormat("    {%d, %.17g},\n", index, classifier.weights[index]);
    ++written;
  }
  if (written == 0) out << "    {0, 0.0},\n";
  out << "};\n\n}  // namespace\n\n"
         "const IntentClassifier& ShippedIntentClassifier() {\n"
         "  static const IntentClassifier* const classifier = [] {\n"
         "    auto* built = new IntentClassifier;\n"
      << absl::StrFormat("    built->bias = %.17g;\n", classifier.bias)
      << absl::StrFormat("    built->inputs.words.word_stems = %s;\n",
                         classifier.inputs.words.word_stems ? "true" : "false")
      << absl::StrFormat("    built->inputs.words.negation_scope = %s;\n",
                         classifier.inputs.words.negation_scope ? "true" : "false")
      << absl::StrFormat("    built->inputs.words.drop_function_words = %s;\n",
                         classifier.inputs.words.drop_function_words ? "true" : "false")
      << absl::StrFormat("    built->inputs.phrase_feature = %s;\n",
                         classifier.inputs.phrase_feature ? "true" : "false")
      << "    for (const Weight& weight : kWeights) built->weights[weight.index] = weight.value;\n"
         "    return built;\n"
         "  }();\n"
         "  return *classifier;\n"
         "}\n\n"
         "IntentDetectorKind ShippedIntentDetectorKind() {\n"
      << "  return IntentDetectorKind::" << EnumeratorOf(choice.chosen.kind) << ";\n"
      << "}\n\n}  // namespace churn::tickets\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string data, out_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--data") data = argv[i + 1];
    if (flag == "--out") out_path = argv[i + 1];
  }
  if (data.empty() || out_path.empty()) {
    std::cerr << "usage: churn_train_intent_classifier --data CSV --out FILE.cc\n";
    return 2;
  }
  auto tickets = churn::tickets::ReadLabelledTickets(data);
  if (!tickets.ok()) {
    std::cerr << "churn_train_intent_classifier: " << tickets.status().message() << "\n";
    return 1;
  }
  const auto train = churn::tickets::TicketsOf(*tickets, churn::tickets::TicketSplit::kTrain);
  const IntentDetectorChoice choice = churn::tickets::ChooseIntentDetector(train);
  // Even when the phrase rules win, a classifier is trained (with the first classifier
  // candidate's settings) so that the evaluation can still report it.
  const IntentClassifier classifier = churn::tickets::TrainIntentClassifier(
      train, choice.chosen.kind == IntentDetectorKind::kPhraseRules
                 ? churn::tickets::IntentCandidates()[1].training
                 : choice.chosen.training);

  // Written beside the target and renamed, so an interrupted build never leaves half a file.
  const std::string partial = out_path + ".partial";
  {
    std::ofstream out(partial, std::ios::trunc);
    WriteSource(choice, classifier, train.size(), out);
    if (!out.flush()) {
      std::cerr << "churn_train_intent_classifier: cannot write " << partial << "\n";
      return 1;
    }
  }
  if (std::rename(partial.c_str(), out_path.c_str()) != 0) {
    std::cerr << "churn_train_intent_classifier: cannot rename to " << out_path << "\n";
    return 1;
  }
  return 0;
}
