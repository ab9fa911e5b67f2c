#pragma once
// Precision, recall and F1 of a cancellation-intent detector on labelled tickets.

#include <functional>
#include <string_view>
#include <vector>

#include "tickets/labelled_tickets.h"

namespace churn::tickets {

struct IntentConfusion {
  int true_positive = 0;
  int false_positive = 0;
  int false_negative = 0;
  int true_negative = 0;

  void Add(bool predicted, bool labelled);
  void Add(const IntentConfusion& other);
  int total() const { return true_positive + false_positive + false_negative + true_negative; }
  // 0 when the denominator is 0 (nothing predicted, nothing labelled): no credit for silence.
  double precision() const;
  double recall() const;
  double f1() const;
};

using IntentDetector = std::function<bool(std::string_view ticket_text)>;

IntentConfusion EvaluateIntent(const std::vector<LabelledTicket>& tickets,
                               const IntentDetector& detector);

}  // namespace churn::tickets
