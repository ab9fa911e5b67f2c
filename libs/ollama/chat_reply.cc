#include "ollama/chat_reply.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"

namespace churn::ollama {
namespace {

using nlohmann::json;

// Counts and durations: a double beyond int64_t's range would be undefined to convert, and an
// unsigned beyond it would wrap, so both read as 0 like any other nonsense.
int64_t IntField(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return 0;
  if (it->is_number_float()) {
    const double value = it->get<double>();
    // 2^63 is exact as a double; NaN fails both comparisons.
    constexpr double kLimit = 9223372036854775808.0;
    if (!(value >= 0 && value < kLimit)) return 0;
    return static_cast<int64_t>(value);
  }
  if (it->is_number_unsigned()) {
    const uint64_t value = it->get<uint64_t>();
    if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return 0;
    return static_cast<int64_t>(value);
  }
  const int64_t value = it->get<int64_t>();
  return value < 0 ? 0 : value;
}

std::string StringField(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

}  // namespace

absl::StatusOr<json> ParseReplyBody(std::string_view body, std::string_view call) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return absl::InternalError(absl::StrCat(std::string(call), ": reply is not a JSON object"));
  }
  if (auto error = parsed.find("error"); error != parsed.end()) {
    // Only a string is quoted: printing any other value would recurse as deep as it nests.
    const std::string text = error->is_string()
                                 ? absl::StrCat("\"", error->get<std::string>(), "\"")
                                 : absl::StrCat("an error of type ", error->type_name());
    return absl::InternalError(absl::StrCat(std::string(call), ": ", text, " (in a 200 reply)"));
  }
  return parsed;
}

absl::StatusOr<ChatReply> ChatReplyFromJson(const json& body, bool content_required) {
  ChatReply reply;
  reply.model = StringField(body, "model");
  reply.done_reason = StringField(body, "done_reason");
  auto message = body.find("message");
  if (message != body.end() && message->is_object()) {
    auto content = message->find("content");
    if (content != message->end() && content->is_string()) {
      reply.content = content->get<std::string>();
    } else if (content_required) {
      return absl::InternalError("ollama chat reply: message.content is not a string");
    }
  } else if (content_required) {
    return absl::InternalError("ollama chat reply: no message object");
  }
  reply.total_duration_ns = IntField(body, "total_duration");
  reply.load_duration_ns = IntField(body, "load_duration");
  reply.prompt_eval_count = IntField(body, "prompt_eval_count");
  reply.prompt_eval_duration_ns = IntField(body, "prompt_eval_duration");
  reply.eval_count = IntField(body, "eval_count");
  reply.eval_duration_ns = IntField(body, "eval_duration");
  return reply;
}

}  // namespace churn::ollama
