#include "riskhistory/customer_id_map.h"

#include <random>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace churn::riskhistory {
namespace {

TEST(CustomerIdMapTest, FindsWhatWasAddedAndNothingElse) {
  CustomerIdMap<int> map;
  EXPECT_TRUE(map.empty());
  EXPECT_EQ(map.Find("S-1"), nullptr);
  map["S-1"] = 10;
  map["S-22"] = 20;
  map["S-1"] += 5;  // found, not added again
  EXPECT_EQ(map.size(), 2u);
  ASSERT_NE(map.Find("S-1"), nullptr);
  EXPECT_EQ(*map.Find("S-1"), 15);
  EXPECT_EQ(*map.Find("S-22"), 20);
  EXPECT_EQ(map.Find("S-2"), nullptr);   // a prefix of another id
  EXPECT_EQ(map.Find("S-12"), nullptr);  // the ids' bytes run together in the buffer
  EXPECT_EQ(map.Find(""), nullptr);
}

TEST(CustomerIdMapTest, TryEmplaceKeepsTheFirstValueAndRowsKeepTheirOrder) {
  CustomerIdMap<int> map;
  auto [first, added] = map.try_emplace("b", 1);
  EXPECT_TRUE(added);
  EXPECT_EQ(*first, 1);
  auto [again, added_again] = map.try_emplace("b", 2);
  EXPECT_FALSE(added_again);
  EXPECT_EQ(*again, 1);
  map.try_emplace("", 3);  // an empty id is an id like any other
  map.try_emplace("a", 4);
  ASSERT_EQ(map.size(), 3u);
  EXPECT_EQ(map.id(0), "b");
  EXPECT_EQ(map.id(1), "");
  EXPECT_EQ(map.id(2), "a");
  EXPECT_EQ(map.value(2), 4);
  ASSERT_NE(map.Find(""), nullptr);
  EXPECT_EQ(*map.Find(""), 3);
}

TEST(CustomerIdMapTest, CopiesAndMovesKeepEveryId) {
  CustomerIdMap<int> map;
  for (int i = 0; i < 1000; ++i) map[absl::StrCat("S-", i)] = i;
  CustomerIdMap<int> copy = map;
  copy["S-0"] = -1;  // the copy is its own
  EXPECT_EQ(*map.Find("S-0"), 0);
  CustomerIdMap<int> moved = std::move(map);
  EXPECT_TRUE(map.empty());  // NOLINT(bugprone-use-after-move): a moved-from map is empty
  EXPECT_EQ(map.Find("S-5"), nullptr);
  map["S-5"] = 5;  // and usable again
  EXPECT_EQ(*map.Find("S-5"), 5);
  CustomerIdMap<int> assigned;
  assigned = copy;
  for (int i = 1; i < 1000; ++i) {
    const std::string id = absl::StrCat("S-", i);
    ASSERT_NE(moved.Find(id), nullptr) << id;
    EXPECT_EQ(*moved.Find(id), i);
    ASSERT_NE(assigned.Find(id), nullptr) << id;
    EXPECT_EQ(*assigned.Find(id), i);
  }
  EXPECT_EQ(*assigned.Find("S-0"), -1);
}

TEST(CustomerIdMapTest, AgreesWithAHashMapOnRandomIds) {
  std::mt19937 random(7);
  CustomerIdMap<int> map;
  absl::flat_hash_map<std::string, int> expected;
  for (int i = 0; i < 20000; ++i) {
    const std::string id = absl::StrCat("S-", random() % 5000, std::string(random() % 20, 'x'));
    map[id] += i;
    expected[id] += i;
  }
  ASSERT_EQ(map.size(), expected.size());
  for (const auto& [id, value] : expected) {
    ASSERT_NE(map.Find(id), nullptr) << id;
    EXPECT_EQ(*map.Find(id), value) << id;
  }
  for (size_t row = 0; row < map.size(); ++row) {
    EXPECT_EQ(expected.at(std::string(map.id(row))), map.value(row));
  }
}

}  // namespace
}  // namespace churn::riskhistory
