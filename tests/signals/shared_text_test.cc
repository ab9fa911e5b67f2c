#include "signals/shared_text.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "signals/text_interner.h"
#include "gtest/gtest.h"

namespace churn {
namespace {

TEST(SharedTextTest, EmptyHoldsNoStringAndReadsAsEmpty) {
  const SharedText none;
  const SharedText from_empty("");
  EXPECT_TRUE(none.empty());
  EXPECT_TRUE(from_empty.empty());
  EXPECT_EQ(none.str(), "");
  EXPECT_EQ(none.size(), 0u);
  EXPECT_EQ(none.StringBytes(), 0u);
  EXPECT_TRUE(none.SharesStringWith(from_empty));
}

TEST(SharedTextTest, ReadsAsTheStringItWasGiven) {
  const std::string long_text = "Usage dropped 58% over the last 30 days";
  const SharedText text(long_text);
  EXPECT_EQ(text, long_text);
  EXPECT_EQ(text, "Usage dropped 58% over the last 30 days");
  EXPECT_NE(text, "Usage dropped 57% over the last 30 days");
  EXPECT_EQ(text.size(), long_text.size());
  EXPECT_EQ(std::string(text.c_str()), long_text);
  const std::string& as_string = text;
  EXPECT_EQ(as_string, long_text);
  const std::string_view as_view = text;
  EXPECT_EQ(as_view, long_text);
  EXPECT_GT(text.StringBytes(), long_text.size());
  EXPECT_LT(SharedText("a"), SharedText("b"));
}

TEST(SharedTextTest, CopiesShareOneStringThatOutlivesTheOriginal) {
  std::vector<SharedText> copies;
  {
    SharedText original(std::string(100, 'x'));
    for (int i = 0; i < 3; ++i) copies.push_back(original);
    EXPECT_TRUE(copies[0].SharesStringWith(original));
  }
  for (const SharedText& copy : copies) EXPECT_EQ(copy, std::string(100, 'x'));
  SharedText assigned("other");
  assigned = copies[1];
  EXPECT_TRUE(assigned.SharesStringWith(copies[2]));
  assigned = assigned;  // self-assignment keeps the text
  EXPECT_EQ(assigned, std::string(100, 'x'));
  SharedText moved = std::move(assigned);
  EXPECT_TRUE(assigned.empty());  // NOLINT: moved-from is empty by contract
  EXPECT_TRUE(moved.SharesStringWith(copies[0]));
  // Equal texts built separately are equal but not shared.
  const SharedText separate(std::string(100, 'x'));
  EXPECT_EQ(separate, copies[0]);
  EXPECT_FALSE(separate.SharesStringWith(copies[0]));
}

TEST(SharedTextTest, JoinTextsJoinsLikeStrJoin) {
  EXPECT_EQ(JoinTexts({}, " | "), "");
  EXPECT_EQ(JoinTexts({SharedText("a")}, " | "), "a");
  EXPECT_EQ(JoinTexts({SharedText("a"), SharedText(""), SharedText("c")}, " | "), "a |  | c");
  EXPECT_EQ(absl::StrCat(SharedText("x").str(), "/", SharedText("y").str()), "x/y");
}

TEST(TextInternerTest, EqualTextsShareOneString) {
  TextInterner interner;
  const SharedText a = interner.Intern(std::string_view("Escalated ticket in the last 30 days"));
  std::string copy = "Escalated ticket in the last 30 days";
  const SharedText b = interner.Intern(std::move(copy));
  const SharedText c = interner.Intern(std::string_view("Satisfaction 2.1"));
  EXPECT_EQ(a, "Escalated ticket in the last 30 days");
  EXPECT_TRUE(a.SharesStringWith(b));
  EXPECT_FALSE(a.SharesStringWith(c));
  EXPECT_EQ(c, "Satisfaction 2.1");
  EXPECT_TRUE(interner.Intern(std::string_view()).empty());
  EXPECT_EQ(interner.size(), 2u);
}

TEST(TextInternerTest, TextsOutliveTheInterner) {
  SharedText kept;
  {
    TextInterner interner;
    kept = interner.Intern(std::string(64, 'r'));
    EXPECT_TRUE(kept.SharesStringWith(interner.Intern(std::string(64, 'r'))));
  }
  EXPECT_EQ(kept, std::string(64, 'r'));
}

}  // namespace
}  // namespace churn
