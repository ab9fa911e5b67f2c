#include "tickets/shipped_intent_detector.h"

namespace churn::tickets {

bool DetectChurnIntent(std::string_view ticket_text) {
  return DetectIntent(ShippedIntentDetectorKind(), ShippedIntentClassifier(), ticket_text);
}

}  // namespace churn::tickets
