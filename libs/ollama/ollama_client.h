#pragma once
// A client for one model on a local Ollama server. Every call has a total deadline (see
// bounded_http_call.h) and can be cancelled; errors come back as absl::Status codes (see
// ollama_errors.h), never as exceptions. Thread-safe: every call uses its own connection.

#include <chrono>
#include <cstdint>
#include <stop_token>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "ollama/bounded_http_call.h"
#include "ollama/chat_types.h"

namespace churn::ollama {

// Sampling options sent with every chat: deterministic (temperature 0, fixed seed) and bounded
// (num_predict caps runaway generations; num_ctx fixes the context size, and so the memory).
struct GenerationOptions {
  double temperature = 0.0;
  int64_t seed = 42;
  int num_predict = 256;
  int num_ctx = 4096;
};

struct OllamaClientOptions {
  std::string base_url = "http://127.0.0.1:11434";
  std::string model = "llama3.1:8b";
  std::string keep_alive = "30m";  // how long Ollama keeps the model loaded after a call
  GenerationOptions generation;
  std::chrono::milliseconds connect_timeout{2000};
};

class OllamaClient {
 public:
  explicit OllamaClient(OllamaClientOptions options);

  const OllamaClientOptions& options() const { return options_; }

  // The JSON body of POST /api/chat for `request` (stream: false, options, keep_alive).
  nlohmann::json ChatBody(const ChatRequest& request) const;

  // One non-streamed chat. Besides the HTTP mapping: DEADLINE_EXCEEDED at the deadline however
  // the server behaves, CANCELLED on `stop`, UNAVAILABLE when it cannot connect, OUT_OF_RANGE
  // when the reply is over the size limit, INTERNAL when it is not Ollama's JSON shape.
  absl::StatusOr<ChatReply> Chat(const ChatRequest& request, Clock::time_point deadline,
                                 std::stop_token stop = {}) const;

  // Loads the model without generating (a chat with no messages), so the first real request
  // does not pay the load time.
  absl::StatusOr<ChatReply> WarmUp(Clock::time_point deadline, std::stop_token stop = {}) const;

  // Ready = GET /api/version answers and GET /api/tags lists the model (a name without a tag
  // matches ":latest"). FAILED_PRECONDITION when the server runs without the model.
  absl::StatusOr<ServerStatus> CheckReady(Clock::time_point deadline,
                                          std::stop_token stop = {}) const;

 private:
  absl::StatusOr<nlohmann::json> CallJson(const HttpRequest& request, std::string_view call,
                                          Clock::time_point deadline, std::stop_token stop) const;

  OllamaClientOptions options_;
  HttpEndpoint endpoint_;
};

// True when `listed` (from /api/tags) names `model`; "llama3.1" matches "llama3.1:latest".
bool ModelNamesMatch(std::string_view listed, std::string_view model);

}  // namespace churn::ollama
