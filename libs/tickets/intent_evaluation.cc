#include "tickets/intent_evaluation.h"

namespace churn::tickets {

void IntentConfusion::Add(bool predicted, bool labelled) {
  if (predicted && labelled) ++true_positive;
  if (predicted && !labelled) ++false_positive;
  if (!predicted && labelled) ++false_negative;
  if (!predicted && !labelled) ++true_negative;
}

void IntentConfusion::Add(const IntentConfusion& other) {
  true_positive += other.true_positive;
  false_positive += other.false_positive;
  false_negative += other.false_negative;
  true_negative += other.true_negative;
}

double IntentConfusion::precision() const {
  const int predicted = true_positive + false_positive;
  return predicted == 0 ? 0.0 : static_cast<double>(true_positive) / predicted;
}

double IntentConfusion::recall() const {
  const int labelled = true_positive + false_negative;
  return labelled == 0 ? 0.0 : static_cast<double>(true_positive) / labelled;
}

double IntentConfusion::f1() const {
  const double p = precision(), r = recall();
  return p + r == 0.0 ? 0.0 : 2.0 * p * r / (p + r);
}

IntentConfusion EvaluateIntent(const std::vector<LabelledTicket>& tickets,
                               const IntentDetector& detector) {
  IntentConfusion confusion;
  for (const LabelledTicket& ticket : tickets) {
    confusion.Add(detector(ticket.text), ticket.churn_intent);
  }
  return confusion;
}

}  // namespace churn::tickets
