#include "dataset/id_fingerprints.h"

#include <algorithm>
#include <array>
#include <queue>
#include <utility>

namespace churn::dataset {
namespace {

// In place by the byte at `shift` (American flag sort), then each bucket by the next byte, and
// buckets small enough to stay in cache with std::sort: no second buffer of the whole set.
void SortByByte(uint64_t* begin, uint64_t* end, int shift) {
  const size_t count = static_cast<size_t>(end - begin);
  if (count <= 256 || shift < 0) {
    std::sort(begin, end);
    return;
  }
  std::array<size_t, 257> start{};
  for (const uint64_t* p = begin; p < end; ++p) ++start[((*p >> shift) & 0xFF) + 1];
  for (size_t b = 1; b <= 256; ++b) start[b] += start[b - 1];
  std::array<size_t, 256> next;
  std::copy(start.begin(), start.end() - 1, next.begin());
  for (size_t bucket = 0; bucket < 256; ++bucket) {
    while (next[bucket] < start[bucket + 1]) {
      uint64_t value = begin[next[bucket]];
      size_t target = (value >> shift) & 0xFF;
      while (target != bucket) {
        std::swap(value, begin[next[target]++]);
        target = (value >> shift) & 0xFF;
      }
      begin[next[bucket]++] = value;
    }
  }
  for (size_t bucket = 0; bucket < 256; ++bucket) {
    SortByByte(begin + start[bucket], begin + start[bucket + 1], shift - 8);
  }
}

}  // namespace

void IdFingerprints::KeepFirst(int64_t room) {
  if (size() <= room) return;
  fingerprints_.resize(static_cast<size_t>(std::max<int64_t>(room, 0)));
  fingerprints_.shrink_to_fit();
  overflowed_ = true;
}

void IdFingerprints::Sort() {
  SortByByte(fingerprints_.data(), fingerprints_.data() + fingerprints_.size(), 56);
}

bool IdFingerprints::AnyRepeat(const std::vector<const IdFingerprints*>& sorted) {
  // A merge of the sorted sets: a repeat is a value equal to the one taken before it.
  using Head = std::pair<uint64_t, std::pair<size_t, size_t>>;  // value, (set, index)
  std::priority_queue<Head, std::vector<Head>, std::greater<>> heads;
  for (size_t set = 0; set < sorted.size(); ++set) {
    if (!sorted[set]->fingerprints_.empty()) heads.push({sorted[set]->fingerprints_[0], {set, 0}});
  }
  bool first = true;
  uint64_t previous = 0;
  while (!heads.empty()) {
    auto [value, position] = heads.top();
    heads.pop();
    if (!first && value == previous) return true;
    first = false;
    previous = value;
    const std::vector<uint64_t>& values = sorted[position.first]->fingerprints_;
    // Runs within one set are walked here without the queue.
    size_t index = position.second + 1;
    while (index < values.size() && (heads.empty() || values[index] <= heads.top().first)) {
      if (values[index] == previous) return true;
      previous = values[index++];
    }
    if (index < values.size()) heads.push({values[index], {position.first, index}});
  }
  return false;
}

}  // namespace churn::dataset
