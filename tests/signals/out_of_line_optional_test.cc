// OutOfLineOptional: a pointer's size in the struct, and behaves like std::optional (deep copies).
#include "signals/out_of_line_optional.h"

#include "gtest/gtest.h"
#include "signals/customer_signals.h"
#include "signals/long_views.h"

namespace churn {
namespace {

TEST(OutOfLineOptionalTest, TakesAPointersSpaceInsteadOfTheValues) {
  EXPECT_EQ(sizeof(OutOfLineOptional<LongViews>), sizeof(void*));
  EXPECT_LT(sizeof(OutOfLineOptional<LongViews>), sizeof(std::optional<LongViews>));
}

TEST(OutOfLineOptionalTest, BehavesLikeAnOptional) {
  OutOfLineOptional<LongViews> views;
  EXPECT_FALSE(views);
  EXPECT_FALSE(views.has_value());
  views = LongViews{};
  ASSERT_TRUE(views);
  views->seats = 7;
  (*views).usage_90d = 12;

  OutOfLineOptional<LongViews> copy = views;  // deep: changing one leaves the other
  copy->seats = 8;
  EXPECT_EQ(views->seats, 7);
  EXPECT_EQ(copy->seats, 8);
  EXPECT_EQ(copy->usage_90d, 12);
  copy = views;
  EXPECT_EQ(copy->seats, 7);

  OutOfLineOptional<LongViews> moved = std::move(copy);
  EXPECT_EQ(moved->seats, 7);
  moved = std::nullopt;
  EXPECT_FALSE(moved);
  moved.emplace().tickets_prev30d = 3;
  EXPECT_EQ(moved->tickets_prev30d, 3);
  moved.reset();
  EXPECT_FALSE(moved.has_value());
  OutOfLineOptional<LongViews> empty_copy = moved;
  EXPECT_FALSE(empty_copy);
}

TEST(OutOfLineOptionalTest, CustomerSignalsCopyTheirLongViews) {
  CustomerSignals a;
  a.customer_id = "S-1";
  a.long_views = LongViews{};
  a.long_views->seats = 3;
  CustomerSignals b = a;
  b.long_views->seats = 4;
  EXPECT_EQ(a.long_views->seats, 3);
  EXPECT_EQ(b.long_views->seats, 4);
}

TEST(OutOfLineOptionalTest, EqualityComparesTheValues) {
  CustomerSignals a;
  a.customer_id = "S-1";
  CustomerSignals b = a;
  EXPECT_EQ(a, b);  // both without long views
  a.long_views = LongViews{};
  EXPECT_NE(a, b);  // one side has them
  b.long_views = LongViews{};
  EXPECT_EQ(a, b);
  b.long_views->seats = 2;
  EXPECT_NE(a, b);  // the values differ
}

}  // namespace
}  // namespace churn
