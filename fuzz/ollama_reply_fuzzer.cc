// Fuzzes the reading of Ollama's reply bodies: ParseReplyBody, ChatReplyFromJson and the error
// mapping of non-2xx replies. Properties: no crash, exception or sanitizer report (a server may
// send anything); an accepted body is a JSON object without "error"; a chat reply that requires
// content carries message.content exactly; counts and durations are never negative; every
// non-2xx status is an error naming its HTTP status.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "ollama/chat_reply.h"
#include "ollama/ollama_errors.h"
#include "fuzz_check.h"

namespace {

using churn::ollama::ChatReply;
using nlohmann::json;

using churn::fuzz::Check;

void CheckCounts(const ChatReply& reply) {
  Check(reply.total_duration_ns >= 0 && reply.load_duration_ns >= 0 &&
            reply.prompt_eval_count >= 0 && reply.prompt_eval_duration_ns >= 0 &&
            reply.eval_count >= 0 && reply.eval_duration_ns >= 0,
        "counts and durations >= 0");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  for (int status : {400, 404, 500, 502, 503}) {
    const absl::Status error = churn::ollama::StatusFromHttpReply(status, body, "fuzz");
    Check(!error.ok(), "non-2xx is an error");
    Check(absl::StrContains(error.message(), absl::StrCat("(HTTP ", status, ")")),
          "the error names the HTTP status");
  }
  Check(churn::ollama::StatusFromHttpReply(200, body, "fuzz").ok(), "200 is no error");

  const absl::StatusOr<json> parsed = churn::ollama::ParseReplyBody(body, "fuzz");
  if (!parsed.ok()) {
    Check(parsed.status().code() == absl::StatusCode::kInternal, "INTERNAL");
    Check(absl::StartsWith(parsed.status().message(), "fuzz: "), "the error names the call");
    return 0;
  }
  Check(parsed->is_object() && !parsed->contains("error"), "an object without error");

  const absl::StatusOr<ChatReply> optional = churn::ollama::ChatReplyFromJson(*parsed, false);
  Check(optional.ok(), "content is optional for warm-ups");
  CheckCounts(*optional);

  const absl::StatusOr<ChatReply> required = churn::ollama::ChatReplyFromJson(*parsed, true);
  if (!required.ok()) {
    Check(required.status().code() == absl::StatusCode::kInternal, "INTERNAL");
    return 0;
  }
  CheckCounts(*required);
  const json& message = (*parsed)["message"];
  Check(message.is_object() && message["content"].is_string() &&
            message["content"].get<std::string>() == required->content,
        "content is message.content");
  Check(required->content == optional->content, "the same content either way");
  return 0;
}
