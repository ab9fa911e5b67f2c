#pragma once
// A keyword-and-phrase analyser used when the language model is disabled or unavailable.
// It reads the same sanitised text and fills the same schema, labelled source "fallback".
// Cancellation intent comes from the shipped detector (tickets/shipped_intent_detector.h), chosen
// by cross-validation among the phrase rules and classifiers trained at build time.

#include <string_view>

#include "tickets/ticket_analysis.h"

namespace churn::tickets {

TicketAnalysis AnalyzeWithRules(std::string_view ticket_text);

}  // namespace churn::tickets
