#include "riskhistory/fired_rules_codec.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace churn::riskhistory {
namespace {

using ::testing::ElementsAre;

TEST(FiredRulesCodecTest, SmallIdsTakeOneByteEach) {
  EXPECT_EQ(PackRuleIds({1, 5, 127}), std::string("\x01\x05\x7f"));
  EXPECT_EQ(PackRuleIds({}), "");
}

TEST(FiredRulesCodecTest, LargeIdsRoundTrip) {
  const std::vector<int64_t> ids = {0, 128, 300, 16384, int64_t{1} << 40};
  const std::string packed = PackRuleIds(ids);
  EXPECT_EQ(PackRuleIds({128}).size(), 2u);
  absl::StatusOr<std::vector<int64_t>> unpacked = UnpackRuleIds(packed);
  ASSERT_TRUE(unpacked.ok()) << unpacked.status();
  EXPECT_EQ(*unpacked, ids);
}

TEST(FiredRulesCodecTest, TruncatedVarintIsDataLoss) {
  EXPECT_EQ(UnpackRuleIds(std::string("\x01\x80")).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(UnpackRuleIds(std::string(10, '\xff')).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(*UnpackRuleIds(std::string("\x02\x03")), ElementsAre(2, 3));
}

}  // namespace
}  // namespace churn::riskhistory
