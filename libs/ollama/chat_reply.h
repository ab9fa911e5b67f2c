#pragma once
// Ollama's reply bodies read as plain C++ values. Ollama is a separate process whose replies may
// be cut, garbled or from another version, so nothing here trusts their shape.

#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "ollama/chat_types.h"

namespace churn::ollama {

// The body of a successful (2xx) reply as a JSON object. INTERNAL naming `call` when it is not
// one, or when it reports {"error": ...} inside the 200 (as Ollama does in streams).
absl::StatusOr<nlohmann::json> ParseReplyBody(std::string_view body, std::string_view call);

// A /api/chat reply. With `content_required`, INTERNAL when message.content is not a string.
// Numbers that are absent, negative or do not fit read as 0.
absl::StatusOr<ChatReply> ChatReplyFromJson(const nlohmann::json& body, bool content_required);

}  // namespace churn::ollama
