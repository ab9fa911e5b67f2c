#include "viewsets/page_token.h"

#include "absl/strings/escaping.h"
#include "digest/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace churn::viewsets {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const PageTokenBinding kBinding{"at-risk", "ingest-a/7/rules", "tiers=pro"};

// The layout tokens keep (old tokens stay readable): the list, 16 hex digits of SHA-256 of the
// data and of the filters, and the cursor, in web-safe base64; fingerprinted once or per token.
TEST(PageTokenTest, FingerprintedBindingWritesTheSameTokensAsTheBinding) {
  const std::string expected = absl::WebSafeBase64Escape(
      "churn-page-1|at-risk|" + digest::Sha256Hex(kBinding.data).substr(0, 16) + "|" +
      digest::Sha256Hex(kBinding.filters).substr(0, 16) + "|50");
  EXPECT_EQ(EncodePageToken(kBinding, 50), expected);
  const PageTokenFingerprints fingerprints = FingerprintsOf(kBinding);
  EXPECT_EQ(EncodePageToken(fingerprints, 50), expected);
  absl::StatusOr<int64_t> decoded = DecodePageToken(expected, fingerprints);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, 50);
  PageTokenFingerprints other = fingerprints;
  other.filters = PageTokenFingerprint("tiers=basic");
  EXPECT_FALSE(DecodePageToken(expected, other).ok());
}

TEST(PageTokenTest, RoundTripsTheCursorForTheSameBinding) {
  for (int64_t cursor : {int64_t{0}, int64_t{50}, int64_t{1} << 40}) {
    const std::string token = EncodePageToken(kBinding, cursor);
    absl::StatusOr<int64_t> decoded = DecodePageToken(token, kBinding);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, cursor);
  }
}

TEST(PageTokenTest, IsOpaqueAndUrlSafe) {
  const std::string token = EncodePageToken(kBinding, 50);
  // Neither the cursor nor the bound values appear in clear.
  EXPECT_EQ(token.find("50"), std::string::npos);
  EXPECT_EQ(token.find("ingest-a"), std::string::npos);
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
}

TEST(PageTokenTest, RefusesATokenFromOtherData) {
  PageTokenBinding newer = kBinding;
  newer.data = "ingest-a/8/rules";
  absl::StatusOr<int64_t> decoded = DecodePageToken(EncodePageToken(kBinding, 50), newer);
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(decoded.status().message()),
            "page_token: page token is from an older snapshot; start from the "
            "first page");
}

TEST(PageTokenTest, RefusesATokenForOtherFilters) {
  PageTokenBinding other = kBinding;
  other.filters = "tiers=basic";
  absl::StatusOr<int64_t> decoded = DecodePageToken(EncodePageToken(kBinding, 50), other);
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(decoded.status().message()), HasSubstr("other filters or sort"));
  EXPECT_THAT(std::string(decoded.status().message()), HasSubstr("start from the first page"));
}

TEST(PageTokenTest, RefusesATokenOfAnotherList) {
  PageTokenBinding outcomes = kBinding;
  outcomes.list = "outcomes";
  absl::StatusOr<int64_t> decoded = DecodePageToken(EncodePageToken(kBinding, 50), outcomes);
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(decoded.status().message()),
              HasSubstr("at-risk list, not of the outcomes list"));
}

TEST(PageTokenTest, RefusesWhatItDidNotIssue) {
  const std::string forged_offset =
      absl::WebSafeBase64Escape("churn-page-1|at-risk|0000000000000000|0000000000000000|-1");
  const std::string bare_offset = absl::WebSafeBase64Escape("at-risk:50");  // the old layout
  for (const std::string& token : {std::string("not a token"), std::string("bogus"), forged_offset,
                                   bare_offset, std::string("")}) {
    SCOPED_TRACE(token);
    absl::StatusOr<int64_t> decoded = DecodePageToken(token, kBinding);
    ASSERT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(decoded.status().message()),
                StartsWith("page_token: not a token this server issued"));
  }
}

}  // namespace
}  // namespace churn::viewsets
