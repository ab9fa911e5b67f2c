#pragma once
// What goes into and comes out of Ollama's POST /api/chat (non-streamed), as plain C++ types.

#include <cstdint>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace churn::ollama {

struct ChatMessage {
  std::string role;  // "system", "user" or "assistant"
  std::string content;
};

struct ChatRequest {
  std::vector<ChatMessage> messages;
  // A JSON schema object the output must follow, the string "json", or null for free text.
  nlohmann::json format;
};

// The reply; durations in nanoseconds as Ollama reports them (0 when absent).
struct ChatReply {
  std::string model;
  std::string content;      // message.content: the model's text (JSON when `format` was set)
  std::string done_reason;  // "stop", "length" (num_predict reached), "load" (warm-up)
  int64_t total_duration_ns = 0;
  int64_t load_duration_ns = 0;
  int64_t prompt_eval_count = 0;
  int64_t prompt_eval_duration_ns = 0;
  int64_t eval_count = 0;  // tokens generated
  int64_t eval_duration_ns = 0;
};

// GET /api/version and /api/tags together.
struct ServerStatus {
  std::string version;
  std::vector<std::string> models;  // names as listed, e.g. "llama3.1:8b"
};

}  // namespace churn::ollama
