#include "riskhistory/backfill_plan.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace churn::riskhistory {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(BackfillPlanTest, WeeklyBackNewestFirst) {
  EXPECT_THAT(BackfillDates(100, 28, {}), ElementsAre(93, 86, 79, 72));
  EXPECT_THAT(BackfillDates(100, 27, {}), ElementsAre(93, 86, 79));
  EXPECT_THAT(BackfillDates(100, 6, {}), IsEmpty());
}

TEST(BackfillPlanTest, SkipsStoredDates) {
  EXPECT_THAT(BackfillDates(100, 28, {100, 93, 79}), ElementsAre(86, 72));
  EXPECT_THAT(BackfillDates(100, 28, {93, 86, 79, 72}), IsEmpty());
}

}  // namespace
}  // namespace churn::riskhistory
