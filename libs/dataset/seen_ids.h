#pragma once
// The ids a table has seen, for its duplicate-id warning (churn events, tickets): 64-bit
// fingerprints rather than the ids' text, so a row costs no allocation. Two different ids share a
// fingerprint with probability about n^2 / 2^65, as in DuplicateIdFinder (under 1e-8 at a
// million tickets); the warning then names an id that was not repeated.

#include <cstdint>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"

namespace churn::dataset {

class SeenIds {
 public:
  // True the first time `id` is seen.
  bool Insert(std::string_view id) { return fingerprints_.insert(absl::HashOf(id)).second; }

 private:
  absl::flat_hash_set<uint64_t> fingerprints_;
};

}  // namespace churn::dataset
