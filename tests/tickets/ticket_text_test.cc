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

// Ticket texts go to the model as JSON and to the services as protobuf strings: both refuse what
// only looks like UTF-8 (nlohmann's dump throws), so such bytes are dropped like any invalid one.
TEST(SanitizeTicketText, DropsOverlongFormsSurrogatesAndCodePointsAboveUnicode) {
  EXPECT_EQ(SanitizeTicketText("a\xE0\x80\x80z"), "az");      // overlong U+0000
  EXPECT_EQ(SanitizeTicketText("a\xC0\xAFz"), "az");          // overlong '/'
  EXPECT_EQ(SanitizeTicketText("a\xED\xA0\x80z"), "az");      // surrogate U+D800
  EXPECT_EQ(SanitizeTicketText("a\xF0\x80\x80\x80z"), "az");  // overlong in four bytes
  EXPECT_EQ(SanitizeTicketText("a\xF4\x90\x80\x80z"), "az");  // U+110000
  // The edges that are valid stay.
  EXPECT_EQ(SanitizeTicketText("\xE0\xA0\x80 \xED\x9F\xBF \xF0\x90\x80\x80 \xF4\x8F\xBF\xBF"),
            "\xE0\xA0\x80 \xED\x9F\xBF \xF0\x90\x80\x80 \xF4\x8F\xBF\xBF");
}

TEST(IsValidUtf8, AcceptsWellFormedTextOnly) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("caf\xC3"));
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(CombineSubjectAndBody, UsesBothWhenPresent) {
  EXPECT_EQ(CombineSubjectAndBody("Renewal", "Too expensive."), "Subject: Renewal\n\nToo expensive.");
  EXPECT_EQ(CombineSubjectAndBody("", "Body only"), "Body only");
  EXPECT_EQ(CombineSubjectAndBody("Subject only", "  "), "Subject only");
}

}  // namespace
}  // namespace churn::tickets
