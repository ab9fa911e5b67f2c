#include "ollama/ollama_errors.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace churn::ollama {
namespace {

// Ollama's {"error": "..."}; otherwise the start of the body, which may be anything.
std::string ErrorText(std::string_view body) {
  const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()) {
    return parsed["error"].get<std::string>();
  }
  constexpr size_t kMaxQuoted = 200;
  return std::string(body.substr(0, kMaxQuoted));
}

}  // namespace

absl::Status StatusFromHttpReply(int http_status, std::string_view body, std::string_view call) {
  if (http_status >= 200 && http_status < 300) return absl::OkStatus();
  const std::string message =
      absl::StrCat(std::string(call), ": ", ErrorText(body), " (HTTP ", http_status, ")");
  switch (http_status) {
    case 404: return absl::FailedPreconditionError(message);
    case 503: return absl::ResourceExhaustedError(message);
    case 400: return absl::InvalidArgumentError(message);
    case 502:
    case 504: return absl::UnavailableError(message);
    default: return absl::InternalError(message);
  }
}

}  // namespace churn::ollama
