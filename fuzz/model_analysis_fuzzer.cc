// Fuzzes the check of a model's answer (ParseModelAnalysis). Properties: no crash, exception or
// sanitizer report; a rejected answer says why; an accepted one passes the analysis schema it
// claims to enforce (checked here against TicketAnalysisSchema() itself), holds sanitised text
// only, and reads back unchanged from its own JSON (what the result cache stores).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "enrichment/analysis_schema.h"
#include "nlohmann/json.hpp"
#include "tickets/ticket_text.h"
#include "fuzz_check.h"

namespace {

using churn::tickets::TicketAnalysis;
using nlohmann::json;

using churn::fuzz::Check;

// The subset of JSON Schema that TicketAnalysisSchema() uses: type, enum, maxLength, required,
// additionalProperties: false.
bool MatchesSchema(const json& value, const json& schema) {
  const std::string type = schema.value("type", "");
  if (type == "object") {
    if (!value.is_object()) return false;
    for (const json& key : schema["required"]) {
      if (!value.contains(key.get<std::string>())) return false;
    }
    for (const auto& [key, field] : value.items()) {
      if (!schema["properties"].contains(key)) return false;
      if (!MatchesSchema(field, schema["properties"][key])) return false;
    }
    return true;
  }
  if (type == "boolean") return value.is_boolean();
  if (type == "string") {
    if (!value.is_string()) return false;
    // Bytes bound characters from above, so a byte count within maxLength is within it.
    if (schema.contains("maxLength") &&
        value.get<std::string>().size() > schema["maxLength"].get<size_t>()) {
      return false;
    }
    if (schema.contains("enum")) {
      const json& allowed = schema["enum"];
      return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
    }
    return true;
  }
  return false;
}

void CheckCleanText(const std::string& text, size_t max_bytes) {
  Check(!text.empty(), "strings are not empty");
  Check(text.size() <= max_bytes, "strings are capped");
  Check(churn::tickets::SanitizeTicketText(text, max_bytes) == text, "strings are sanitised");
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    Check(byte >= 0x20 || c == '\n', "no control characters but newlines");
    Check(byte != 0x7F, "no DEL");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<TicketAnalysis> analysis = churn::enrichment::ParseModelAnalysis(content);
  if (!analysis.ok()) {
    Check(analysis.status().code() == absl::StatusCode::kInvalidArgument, "INVALID_ARGUMENT");
    Check(!analysis.status().message().empty(), "errors explain themselves");
    return 0;
  }
  Check(analysis->source == "model", "source is model");
  CheckCleanText(analysis->summary, churn::enrichment::kMaxSummaryBytes);
  CheckCleanText(analysis->recommended_action, churn::enrichment::kMaxActionBytes);

  const json stored = churn::enrichment::AnalysisToJson(*analysis);
  Check(MatchesSchema(stored, churn::enrichment::TicketAnalysisSchema()), "passes the schema");

  // dump() throws on invalid UTF-8, which the fuzzer reports as a crash.
  const absl::StatusOr<TicketAnalysis> again = churn::enrichment::ParseModelAnalysis(stored.dump());
  Check(again.ok(), "its own JSON is accepted");
  Check(again->summary == analysis->summary && again->category == analysis->category &&
            again->sentiment == analysis->sentiment &&
            again->churn_intent == analysis->churn_intent &&
            again->recommended_action == analysis->recommended_action,
        "round trip");
  return 0;
}
