#include "auth/upload_file_name.h"

#include <gtest/gtest.h>

namespace churn::auth {
namespace {

TEST(SafeUploadFileName, KeepsAPlainName) {
  EXPECT_EQ(SafeUploadFileName("tickets-2024_11.csv"), "tickets-2024_11.csv");
}

TEST(SafeUploadFileName, KeepsOnlyTheLastPathPart) {
  EXPECT_EQ(SafeUploadFileName("../../etc/passwd"), "passwd");
  EXPECT_EQ(SafeUploadFileName("/abs/dir/t.csv"), "t.csv");
  EXPECT_EQ(SafeUploadFileName("dir/"), "upload.csv");
}

TEST(SafeUploadFileName, NeverDotsThatReadAsAPath) {
  EXPECT_EQ(SafeUploadFileName(".."), "upload.csv");
  EXPECT_EQ(SafeUploadFileName("."), "upload.csv");
  EXPECT_EQ(SafeUploadFileName("x/.."), "upload.csv");
  EXPECT_EQ(SafeUploadFileName("a..b...csv"), "a.b.csv");
  EXPECT_EQ(SafeUploadFileName(".bashrc"), "_bashrc");
  EXPECT_EQ(SafeUploadFileName("...csv"), "_.csv");
}

TEST(SafeUploadFileName, ReplacesOtherCharactersAndCaps) {
  EXPECT_EQ(SafeUploadFileName("my tickets (1).csv"), "my_tickets__1_.csv");
  EXPECT_EQ(SafeUploadFileName("C:\\dir\\t.csv"), "C__dir_t.csv");
  EXPECT_EQ(SafeUploadFileName(std::string("a\0b", 3)), "a_b");
  EXPECT_EQ(SafeUploadFileName(std::string(300, 'x')).size(), kMaxUploadFileNameBytes);
  EXPECT_EQ(SafeUploadFileName(""), "upload.csv");
}

}  // namespace
}  // namespace churn::auth
