#include "settings/bool_words.h"

#include "gtest/gtest.h"

namespace churn::settings {
namespace {

TEST(ParseBoolWord, AcceptsTheFourPairsInAnyCase) {
  for (const char* word : {"true", "True", "TRUE", "1", "yes", "YES", "on", "On"}) {
    EXPECT_EQ(ParseBoolWord(word), true) << word;
  }
  for (const char* word : {"false", "FALSE", "0", "no", "No", "off", "OFF"}) {
    EXPECT_EQ(ParseBoolWord(word), false) << word;
  }
}

TEST(ParseBoolWord, RefusesEverythingElse) {
  for (const char* word : {"", "2", "y", "n", "t", "f", "maybe", "truee", " true", "-1", "o"}) {
    EXPECT_EQ(ParseBoolWord(word), std::nullopt) << "'" << word << "'";
  }
}

}  // namespace
}  // namespace churn::settings
