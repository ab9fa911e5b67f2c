#include "ollama/chat_reply.h"

#include <string>

#include "gtest/gtest.h"

namespace churn::ollama {
namespace {

using nlohmann::json;

TEST(ChatReply, ReadsOllamasChatReply) {
  absl::StatusOr<json> body = ParseReplyBody(
      R"({"model":"llama3.1:8b","message":{"role":"assistant","content":"{}"},"done_reason":"stop",
          "total_duration":5191566416,"eval_count":298})",
      "chat");
  ASSERT_TRUE(body.ok()) << body.status();
  absl::StatusOr<ChatReply> reply = ChatReplyFromJson(*body, /*content_required=*/true);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->content, "{}");
  EXPECT_EQ(reply->done_reason, "stop");
  EXPECT_EQ(reply->total_duration_ns, 5191566416);
  EXPECT_EQ(reply->eval_count, 298);
}

// Converting a double beyond int64_t is undefined behaviour; such numbers (and negative ones)
// are nonsense from the server and read as 0.
TEST(ChatReply, NumbersOutOfRangeReadAsZero) {
  const json body = json::parse(
      R"({"message":{"content":"x"},"total_duration":1.5e300,"load_duration":-1e300,
          "eval_count":-3,"eval_duration":18446744073709551615,"prompt_eval_count":"12",
          "prompt_eval_duration":2.5e9})");
  absl::StatusOr<ChatReply> reply = ChatReplyFromJson(body, /*content_required=*/true);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->total_duration_ns, 0);
  EXPECT_EQ(reply->load_duration_ns, 0);
  EXPECT_EQ(reply->eval_count, 0);
  EXPECT_EQ(reply->eval_duration_ns, 0);
  EXPECT_EQ(reply->prompt_eval_count, 0);
  EXPECT_EQ(reply->prompt_eval_duration_ns, 2500000000);
}

TEST(ChatReply, MissingContentIsAnErrorOnlyWhenRequired) {
  const json body = json::parse(R"({"done_reason":"load"})");
  EXPECT_EQ(ChatReplyFromJson(body, true).status().code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(ChatReplyFromJson(body, false).ok());
}

TEST(ParseReplyBody, RejectsWhatIsNotAnObjectAndErrorsInA200) {
  EXPECT_EQ(ParseReplyBody("<html/>", "chat").status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(ParseReplyBody("[1]", "chat").status().code(), absl::StatusCode::kInternal);
  absl::Status error = ParseReplyBody(R"({"error":"runner died"})", "chat").status();
  EXPECT_EQ(error.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(error.message(), "chat: \"runner died\" (in a 200 reply)");
}

// The error value was printed whole, recursing once per level: a deeply nested one exhausted the
// stack. Only strings are quoted now.
TEST(ParseReplyBody, ADeeplyNestedErrorIsNotPrinted) {
  constexpr int kDepth = 500000;
  const std::string body =
      "{\"error\":" + std::string(kDepth, '[') + std::string(kDepth, ']') + "}";
  absl::Status error = ParseReplyBody(body, "chat").status();
  EXPECT_EQ(error.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(error.message(), "chat: an error of type array (in a 200 reply)");
}

}  // namespace
}  // namespace churn::ollama
