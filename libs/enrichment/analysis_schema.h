#pragma once
// The JSON a model must answer with for one ticket, and the check of what it actually answered.
// Ollama's `format` constrains generation to the schema, but models are known to break it, so
// the text is parsed and validated again here and nothing outside the schema is kept.

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "tickets/ticket_analysis.h"

namespace churn::enrichment {

// Longer strings are cut (on a character boundary), not rejected.
inline constexpr size_t kMaxSummaryBytes = 300;
inline constexpr size_t kMaxActionBytes = 300;

// {type: object, properties: {summary, category (enum), sentiment (enum), churn_intent (bool),
// recommended_action}, required: all five, additionalProperties: false}.
const nlohmann::json& TicketAnalysisSchema();

// Parses the model's text into an analysis (source "model"). INVALID_ARGUMENT naming the first
// problem when it is not one JSON object with the five fields of the right types and values.
// Enum values are matched ignoring case and surrounding spaces; strings are sanitised (control
// characters removed) and capped; unknown fields are ignored.
absl::StatusOr<tickets::TicketAnalysis> ParseModelAnalysis(std::string_view content);

// The five schema fields of `analysis` as a JSON object (what the cache stores).
nlohmann::json AnalysisToJson(const tickets::TicketAnalysis& analysis);

}  // namespace churn::enrichment
