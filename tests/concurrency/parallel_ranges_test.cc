#include "concurrency/parallel_ranges.h"

#include <atomic>
#include <thread>
#include <utility>
#include <cstddef>
#include <vector>

#include "gtest/gtest.h"

namespace churn::concurrency {
namespace {

// Every index visited once, by consecutive ranges in part order, as many parts as the rows allow.
void ExpectEachIndexOnce(size_t count, size_t min_per_part, size_t max_parts) {
  SCOPED_TRACE(testing::Message() << count << " rows, " << min_per_part << " a part, at most "
                                  << max_parts);
  std::vector<std::atomic<int>> visits(count);
  std::vector<std::pair<size_t, size_t>> ranges(64, {0, 0});
  const size_t parts =
      ForEachRange(count, min_per_part, max_parts, [&](size_t part, size_t begin, size_t end) {
        ranges[part] = {begin, end};
        for (size_t i = begin; i < end; ++i) ++visits[i];
      });
  ASSERT_GE(parts, 1u);
  EXPECT_LE(parts, max_parts);
  if (count < 2 * min_per_part) {
    EXPECT_EQ(parts, 1u);
  }
  for (size_t i = 0; i < count; ++i) ASSERT_EQ(visits[i].load(), 1) << i;
  EXPECT_EQ(ranges[0].first, 0u);
  EXPECT_EQ(ranges[parts - 1].second, count);
  for (size_t p = 1; p < parts; ++p) {
    EXPECT_EQ(ranges[p].first, ranges[p - 1].second);
    EXPECT_GE(ranges[p].second - ranges[p].first, min_per_part / 2) << "part " << p;
  }
}

TEST(ForEachRange, VisitsEveryIndexOnceInConsecutiveRanges) {
  for (size_t count : {0u, 1u, 7u, 1000u, 99999u, 200000u}) {
    ExpectEachIndexOnce(count, 16384, 64);
    ExpectEachIndexOnce(count, 1000, 2);
    ExpectEachIndexOnce(count, 1, 3);
  }
}

TEST(ForEachRange, FewRowsStayOnTheCallingThread) {
  const std::thread::id caller = std::this_thread::get_id();
  std::thread::id ran_on;
  EXPECT_EQ(ForEachRange(100, 16384, 8,
                         [&](size_t, size_t, size_t) { ran_on = std::this_thread::get_id(); }),
            1u);
  EXPECT_EQ(ran_on, caller);
}

}  // namespace
}  // namespace churn::concurrency
