#pragma once
// The cancellation-intent detector the fallback analyser uses: the detector kind and classifier
// chosen and trained at build time from the train split of libs/tickets/data/labelled_tickets.csv
// (train_intent_classifier_main.cc writes them into the generated shipped_intent_model.cc).

#include <string_view>

#include "tickets/intent_classifier.h"

namespace churn::tickets {

// Defined in the generated shipped_intent_model.cc.
const IntentClassifier& ShippedIntentClassifier();
IntentDetectorKind ShippedIntentDetectorKind();

// True when the (sanitised) ticket text expresses an intent to leave.
bool DetectChurnIntent(std::string_view ticket_text);

}  // namespace churn::tickets
