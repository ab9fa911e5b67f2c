#pragma once
// Finds repeated ids in a stream of up to `limit` rows, for the duplicate-id warning of tables
// too large to keep their ids (feature usage: tens of millions of rows).
//
// Each id is kept as a 64-bit fingerprint with its line (16 bytes), appended while streaming and
// sorted once at the end: sequential writes plus one sort are several times faster than probing a
// hash set that does not fit in cache. Two different ids share a fingerprint with probability
// about n^2 / 2^65 (under 1e-6 at the default 4 million ids).

#include <cstdint>
#include <string_view>
#include <vector>

namespace churn::dataset {

class DuplicateIdFinder {
 public:
  // Keeps at most `limit` ids (0: every id).
  explicit DuplicateIdFinder(int64_t limit) : limit_(limit) {}

  void Add(std::string_view id, int64_t line);
  // False when more ids arrived than the limit allowed: the check covered the first `limit`.
  bool complete() const { return !overflowed_; }
  int64_t limit() const { return limit_; }

  struct Duplicate {
    int64_t line;        // a row whose id appeared before
    int64_t first_line;  // where that id first appeared
  };
  // Every repeat, in line order. Call once, after the last Add.
  std::vector<Duplicate> Finish();

 private:
  struct Entry {
    uint64_t fingerprint;
    int64_t line;
  };
  int64_t limit_;
  bool overflowed_ = false;
  std::vector<Entry> entries_;
};

}  // namespace churn::dataset
