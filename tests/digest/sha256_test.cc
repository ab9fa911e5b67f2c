#include "digest/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace churn::digest {
namespace {

// FIPS 180-2 test vectors.
constexpr char kEmpty[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kAbc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr char kTwoBlocks[] = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr char kTwoBlocksText[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
constexpr char kMillionA[] = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

TEST(Sha256HexTest, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), kEmpty);
  EXPECT_EQ(Sha256Hex("abc"), kAbc);
  EXPECT_EQ(Sha256Hex(kTwoBlocksText), kTwoBlocks);
  EXPECT_EQ(Sha256Hex(std::string(1'000'000, 'a')), kMillionA);
}

TEST(Sha256HexTest, BytesAreNotText) {
  const std::string with_nul("a\0b", 3);
  EXPECT_NE(Sha256Hex(with_nul), Sha256Hex("a"));
  EXPECT_EQ(Sha256Hex(with_nul).size(), 64u);
}

absl::StatusOr<std::string> StreamedInPieces(const std::string &text, size_t piece) {
  Sha256Stream stream;
  for (size_t at = 0; at < text.size(); at += piece) stream.Update(text.substr(at, piece));
  return stream.FinishHex();
}

TEST(Sha256StreamTest, PiecesGiveTheSameDigestAsTheWhole) {
  Sha256Stream empty;
  EXPECT_EQ(*empty.FinishHex(), kEmpty);
  EXPECT_EQ(*StreamedInPieces("abc", 1), kAbc);
  EXPECT_EQ(*StreamedInPieces(kTwoBlocksText, 7), kTwoBlocks);
  EXPECT_EQ(*StreamedInPieces(std::string(1'000'000, 'a'), 65536), kMillionA);
}

TEST(Sha256StreamTest, FinishingTwiceIsAnError) {
  Sha256Stream stream;
  stream.Update("abc");
  ASSERT_TRUE(stream.FinishHex().ok());
  absl::StatusOr<std::string> again = stream.FinishHex();
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace churn::digest
