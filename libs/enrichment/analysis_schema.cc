#include "enrichment/analysis_schema.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tickets/ticket_text.h"
#include "status/status_macros.h"

namespace churn::enrichment {
namespace {

using nlohmann::json;

template <typename Values>
json EnumOf(const Values& values) {
  json list = json::array();
  for (std::string_view value : values) list.push_back(std::string(value));
  return list;
}

template <typename Values>
std::string Listed(const Values& values) {
  std::vector<std::string> names;
  for (std::string_view value : values) names.emplace_back(value);
  return absl::StrJoin(names, ", ");
}

absl::StatusOr<std::string> RequiredString(const json& object, const char* key, size_t max_bytes) {
  auto it = object.find(key);
  if (it == object.end()) return absl::InvalidArgumentError(absl::StrCat("missing field ", key));
  if (!it->is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, " must be a string, got ", it->type_name()));
  }
  std::string value = tickets::SanitizeTicketText(it->get<std::string>(), max_bytes);
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat(key, " is empty"));
  return value;
}

template <typename Values>
absl::StatusOr<std::string> RequiredEnum(const json& object, const char* key,
                                         const Values& allowed) {
  auto it = object.find(key);
  if (it == object.end()) return absl::InvalidArgumentError(absl::StrCat("missing field ", key));
  if (!it->is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, " must be a string, got ", it->type_name()));
  }
  const std::string value =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(it->get<std::string>()));
  if (std::find(std::begin(allowed), std::end(allowed), value) == std::end(allowed)) {
    constexpr size_t kMaxQuoted = 40;
    return absl::InvalidArgumentError(
        absl::StrCat(key, " '", value.substr(0, kMaxQuoted), "' is not one of ", Listed(allowed)));
  }
  return value;
}

}  // namespace

const json& TicketAnalysisSchema() {
  static const json schema = {
      {"type", "object"},
      {"properties",
       {{"summary", {{"type", "string"}, {"maxLength", kMaxSummaryBytes}}},
        {"category", {{"type", "string"}, {"enum", EnumOf(tickets::kCategories)}}},
        {"sentiment", {{"type", "string"}, {"enum", EnumOf(tickets::kSentiments)}}},
        {"churn_intent", {{"type", "boolean"}}},
        {"recommended_action", {{"type", "string"}, {"maxLength", kMaxActionBytes}}}}},
      {"required", {"summary", "category", "sentiment", "churn_intent", "recommended_action"}},
      {"additionalProperties", false},
  };
  return schema;
}

absl::StatusOr<tickets::TicketAnalysis> ParseModelAnalysis(std::string_view content) {
  const json parsed = json::parse(content, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return absl::InvalidArgumentError("not valid JSON");
  if (!parsed.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected a JSON object, got ", parsed.type_name()));
  }
  tickets::TicketAnalysis analysis;
  analysis.source = "model";

  CHURN_ASSIGN_OR_RETURN(analysis.summary, RequiredString(parsed, "summary", kMaxSummaryBytes));

  CHURN_ASSIGN_OR_RETURN(analysis.category, RequiredEnum(parsed, "category", tickets::kCategories));

  CHURN_ASSIGN_OR_RETURN(analysis.sentiment,
                         RequiredEnum(parsed, "sentiment", tickets::kSentiments));

  auto intent = parsed.find("churn_intent");
  if (intent == parsed.end()) return absl::InvalidArgumentError("missing field churn_intent");
  if (!intent->is_boolean()) {
    return absl::InvalidArgumentError(
        absl::StrCat("churn_intent must be a boolean, got ", intent->type_name()));
  }
  analysis.churn_intent = intent->get<bool>();

  CHURN_ASSIGN_OR_RETURN(analysis.recommended_action,
                         RequiredString(parsed, "recommended_action", kMaxActionBytes));
  return analysis;
}

json AnalysisToJson(const tickets::TicketAnalysis& analysis) {
  return {{"summary", analysis.summary},
          {"category", analysis.category},
          {"sentiment", analysis.sentiment},
          {"churn_intent", analysis.churn_intent},
          {"recommended_action", analysis.recommended_action}};
}

}  // namespace churn::enrichment
