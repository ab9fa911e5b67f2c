#pragma once
// A keyword-and-phrase analyser used when the language model is disabled or unavailable.
// It reads the same sanitised text and fills the same schema, labelled source "fallback".

#include <string_view>

#include "tickets/ticket_analysis.h"

namespace churn::tickets {

TicketAnalysis AnalyzeWithRules(std::string_view ticket_text);

}  // namespace churn::tickets
