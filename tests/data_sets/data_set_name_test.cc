#include "data_sets/data_set_name.h"

#include <string>

#include "gtest/gtest.h"

namespace churn::data_sets {
namespace {

TEST(CheckDataSetName, AcceptsPlainNames) {
  EXPECT_TRUE(CheckDataSetName("q3-export").ok());
  EXPECT_TRUE(CheckDataSetName("Ravenstack_2024").ok());
  EXPECT_TRUE(CheckDataSetName(std::string(kMaxDataSetNameBytes, 'a')).ok());
}

TEST(CheckDataSetName, RefusesWhatCouldBeAPathOrHidden) {
  for (const char* name :
       {"", ".", "..", "../x", "a/b", ".hidden", "-x", "_x", "a b", "a.b", "a\\b", "caf\xc3\xa9"}) {
    EXPECT_EQ(CheckDataSetName(name).code(), absl::StatusCode::kInvalidArgument) << name;
  }
  EXPECT_FALSE(CheckDataSetName(std::string("a\0b", 3)).ok());
  EXPECT_FALSE(CheckDataSetName(std::string(kMaxDataSetNameBytes + 1, 'a')).ok());
}

}  // namespace
}  // namespace churn::data_sets
