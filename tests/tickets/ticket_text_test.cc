#include "tickets/ticket_text.h"

#include "gtest/gtest.h"

namespace churn::tickets {
namespace {

TEST(SanitizeTicketText, RemovesNulAndControlCharacters) {
  const std::string dirty = std::string("Hel\0lo\x01\x07 world\x7F", 16);
  EXPECT_EQ(SanitizeTicketText(dirty), "Hello world");
}

TEST(SanitizeTicketText, CollapsesWhitespaceAndBlankLines) {
  EXPECT_EQ(SanitizeTicketText("  a \t b\r\n\r\n\n\nc\n "), "a b\n\nc");
}

TEST(SanitizeTicketText, DropsInvalidUtf8AndCutsOnCharacterBoundaries) {
  EXPECT_EQ(SanitizeTicketText("ok\xFF\xFEyes"), "okyes");
  EXPECT_EQ(SanitizeTicketText("caf\xC3\xA9 ok"), "caf\xC3\xA9 ok");
  EXPECT_EQ(SanitizeTicketText("caf\xC3\xA9", 4), "caf");  // never half of the é
  EXPECT_EQ(SanitizeTicketText(std::string(10000, 'x')).size(), kDefaultMaxTicketChars);
}

TEST(CombineSubjectAndBody, UsesBothWhenPresent) {
  EXPECT_EQ(CombineSubjectAndBody("Renewal", "Too expensive."), "Subject: Renewal\n\nToo expensive.");
  EXPECT_EQ(CombineSubjectAndBody("", "Body only"), "Body only");
  EXPECT_EQ(CombineSubjectAndBody("Subject only", "  "), "Subject only");
}

}  // namespace
}  // namespace churn::tickets
