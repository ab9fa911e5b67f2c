#pragma once
// Whether any two ids of a stream repeat, for the usage table read on several threads: each
// part keeps the 64-bit fingerprints of its ids (8 bytes each, no line), the parts are cut in file
// order to the check's limit, sorted, and compared. It only says whether a repeat exists;
// the lines of the repeats come from DuplicateIdFinder when the table is read again on one thread
// (repeats are rare, and a warning). Same fingerprints as DuplicateIdFinder, so both agree.

#include <algorithm>
#include <climits>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/hash/hash.h"

namespace churn::dataset {

class IdFingerprints {
 public:
  // Keeps at most `limit` ids (0: every id).
  explicit IdFingerprints(int64_t limit) : cap_(limit > 0 ? limit : INT64_MAX) {}

  // Room for `ids` without growing: reserved address space is not resident until written, and
  // growing would briefly hold the old and the new array.
  void Reserve(int64_t ids) { fingerprints_.reserve(static_cast<size_t>(std::min(ids, cap_))); }

  // Keeps at most `cap` ids in all from now on: a later part of the file, once the parts before
  // it are known to hold at least limit - cap ids, can only ever keep `cap`. At 0 the ids held
  // are given back at once (the parts before fill the limit: none of this part's is checked).
  void LowerCap(int64_t cap) {
    cap_ = std::min(cap_, std::max<int64_t>(cap, 0));
    if (cap_ == 0 && fingerprints_.capacity() > 0) {
      overflowed_ = overflowed_ || !fingerprints_.empty();
      std::vector<uint64_t>().swap(fingerprints_);
    }
  }

  void Add(std::string_view id) {
    if (static_cast<int64_t>(fingerprints_.size()) >= cap_) {
      overflowed_ = true;
      return;
    }
    fingerprints_.push_back(absl::HashOf(id));
  }
  // Keeps the first `room` ids (the room the earlier parts of the file left under the limit).
  void KeepFirst(int64_t room);
  // False when more ids arrived than the limit allowed.
  bool complete() const { return !overflowed_; }
  int64_t size() const { return static_cast<int64_t>(fingerprints_.size()); }

  // Sorts the fingerprints in `threads` runs at once (one run when there are few), last of all:
  // KeepFirst and Add no longer apply ...
  void Sort(int threads);
  // ... and tells whether one value occurs twice in any of the sorted sets together.
  static bool AnyRepeat(const std::vector<const IdFingerprints*>& sorted);

 private:
  int64_t cap_;
  bool overflowed_ = false;
  std::vector<uint64_t> fingerprints_;
  std::vector<size_t> run_ends_;  // after Sort: where each sorted run ends
};

}  // namespace churn::dataset
