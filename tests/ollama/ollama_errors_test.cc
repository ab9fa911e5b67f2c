#include "ollama/ollama_errors.h"

#include "gtest/gtest.h"

namespace churn::ollama {
namespace {

TEST(OllamaErrors, MapsStatusesToCodesWithOllamasMessage) {
  absl::Status not_found = StatusFromHttpReply(
      404, R"({"error":"model \"llama3.1:8b\" not found, try pulling it first"})", "chat");
  EXPECT_EQ(not_found.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(not_found.message(),
            "chat: model \"llama3.1:8b\" not found, try pulling it first (HTTP 404)");
  EXPECT_EQ(StatusFromHttpReply(503, R"({"error":"server busy"})", "chat").code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(StatusFromHttpReply(500, R"({"error":"runner died"})", "chat").code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(StatusFromHttpReply(502, "", "chat").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(StatusFromHttpReply(504, "", "chat").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(StatusFromHttpReply(400, R"({"error":"bad"})", "chat").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(StatusFromHttpReply(200, "{}", "chat").ok());
}

TEST(OllamaErrors, QuotesANonJsonBodyShortly) {
  const std::string html = "<html>" + std::string(1000, 'x') + "</html>";
  absl::Status status = StatusFromHttpReply(500, html, "chat");
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_LT(status.message().size(), 250u);
}

}  // namespace
}  // namespace churn::ollama
