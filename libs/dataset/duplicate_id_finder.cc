#include "dataset/duplicate_id_finder.h"

#include <algorithm>

#include "absl/hash/hash.h"

namespace churn::dataset {

void DuplicateIdFinder::Add(std::string_view id, int64_t line) {
  if (limit_ > 0 && static_cast<int64_t>(entries_.size()) >= limit_) {
    overflowed_ = true;
    return;
  }
  entries_.push_back({absl::HashOf(id), line});
}

std::vector<DuplicateIdFinder::Duplicate> DuplicateIdFinder::Finish() {
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return a.fingerprint != b.fingerprint ? a.fingerprint < b.fingerprint : a.line < b.line;
  });
  std::vector<Duplicate> duplicates;
  for (size_t i = 1, first = 0; i < entries_.size(); ++i) {
    if (entries_[i].fingerprint != entries_[first].fingerprint) {
      first = i;
      continue;
    }
    duplicates.push_back({entries_[i].line, entries_[first].line});
  }
  std::sort(duplicates.begin(), duplicates.end(),
            [](const Duplicate& a, const Duplicate& b) { return a.line < b.line; });
  entries_ = {};
  return duplicates;
}

}  // namespace churn::dataset
