// Repeats are found wherever they fall: inside one sorted run, across the runs several threads
// sorted, and across the sets of different parts.

#include "dataset/id_fingerprints.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace churn::dataset {
namespace {

IdFingerprints Ids(int first, int count, std::vector<int> extra = {}) {
  IdFingerprints ids(0);
  for (int i = first; i < first + count; ++i) ids.Add(absl::StrCat("U-", i));
  for (int i : extra) ids.Add(absl::StrCat("U-", i));
  return ids;
}

bool AnyRepeatAfterSort(std::vector<IdFingerprints*> sets, int threads) {
  std::vector<const IdFingerprints*> sorted;
  for (IdFingerprints* set : sets) {
    set->Sort(threads);
    sorted.push_back(set);
  }
  return IdFingerprints::AnyRepeat(sorted);
}

TEST(IdFingerprints, FindsRepeatsAcrossThreadsRunsAndSets) {
  constexpr int kMany = 300000;  // several runs of at least 65,536 ids
  for (int threads : {1, 2, 3}) {
    SCOPED_TRACE(threads);
    IdFingerprints distinct = Ids(0, kMany);
    EXPECT_FALSE(AnyRepeatAfterSort({&distinct}, threads));
    // The first id again at the end: the two copies land in the first and the last run.
    IdFingerprints repeated = Ids(0, kMany, {0});
    EXPECT_TRUE(AnyRepeatAfterSort({&repeated}, threads));
    IdFingerprints adjacent = Ids(0, kMany, {kMany / 2});
    EXPECT_TRUE(AnyRepeatAfterSort({&adjacent}, threads));
    IdFingerprints first = Ids(0, kMany), second = Ids(kMany, kMany);
    EXPECT_FALSE(AnyRepeatAfterSort({&first, &second}, threads));
    IdFingerprints third = Ids(kMany, 10, {kMany - 1});
    IdFingerprints fourth = Ids(0, kMany);
    EXPECT_TRUE(AnyRepeatAfterSort({&fourth, &third}, threads));
    IdFingerprints empty(0);
    EXPECT_FALSE(AnyRepeatAfterSort({&empty}, threads));
  }
}

TEST(IdFingerprints, LowerCapKeepsTheFirstIds) {
  IdFingerprints ids(10);
  for (int i = 0; i < 5; ++i) ids.Add(absl::StrCat("U-", i));
  ids.LowerCap(6);
  for (int i = 5; i < 8; ++i) ids.Add(absl::StrCat("U-", i));
  EXPECT_EQ(ids.size(), 6);
  EXPECT_FALSE(ids.complete());
  ids.LowerCap(0);  // the parts before fill the limit: the ids held are dropped
  EXPECT_EQ(ids.size(), 0);
  EXPECT_FALSE(ids.complete());
  IdFingerprints none(10);
  none.LowerCap(-3);  // the parts before hold more than the limit
  none.Add("U-1");
  EXPECT_EQ(none.size(), 0);
  EXPECT_FALSE(none.complete());
}

}  // namespace
}  // namespace churn::dataset
