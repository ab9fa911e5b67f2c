#pragma once
// Ollama's HTTP errors as absl::Status codes, so callers decide on codes rather than numbers:
//   404 (model not found)           -> FAILED_PRECONDITION  (pull the model; retrying won't help)
//   503 (queue full, server busy)   -> RESOURCE_EXHAUSTED   (back off)
//   400 (bad request)               -> INVALID_ARGUMENT
//   502, 504                        -> UNAVAILABLE
//   500 and any other status        -> INTERNAL (a runner failure)
// The message carries Ollama's own {"error": "..."} text and the status number.

#include <string_view>

#include "absl/status/status.h"

namespace churn::ollama {

absl::Status StatusFromHttpReply(int http_status, std::string_view body, std::string_view call);

}  // namespace churn::ollama
