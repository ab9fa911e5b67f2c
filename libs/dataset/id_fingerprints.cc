#include "dataset/id_fingerprints.h"

#include <algorithm>
#include <array>
#include <queue>
#include <thread>
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

void IdFingerprints::Sort(int threads) {
  // Below this many ids per run a thread costs more than it saves.
  constexpr size_t kMinRun = 1 << 16;
  const size_t count = fingerprints_.size();
  const size_t runs = std::max<size_t>(1, std::min<size_t>(threads, count / kMinRun));
  run_ends_.clear();
  for (size_t run = 1; run <= runs; ++run) run_ends_.push_back(count * run / runs);
  uint64_t* const data = fingerprints_.data();
  std::vector<std::thread> sorters;
  for (size_t run = 1; run < runs; ++run) {
    sorters.emplace_back(
        [this, data, run] { SortByByte(data + run_ends_[run - 1], data + run_ends_[run], 56); });
  }
  SortByByte(data, data + run_ends_[0], 56);
  for (std::thread& sorter : sorters) sorter.join();
}

bool IdFingerprints::AnyRepeat(const std::vector<const IdFingerprints*>& sorted) {
  // A merge of the sorted runs: a repeat is a value equal to the one taken before it.
  struct Run {
    const uint64_t* next;
    const uint64_t* end;
  };
  std::vector<Run> runs;
  for (const IdFingerprints* set : sorted) {
    const uint64_t* const data = set->fingerprints_.data();
    size_t begin = 0;
    for (const size_t end : set->run_ends_) {
      if (end > begin) runs.push_back(Run{data + begin, data + end});
      begin = end;
    }
  }
  using Head = std::pair<uint64_t, size_t>;  // value, run
  std::priority_queue<Head, std::vector<Head>, std::greater<>> heads;
  for (size_t run = 0; run < runs.size(); ++run) heads.push({*runs[run].next, run});
  bool first = true;
  uint64_t previous = 0;
  while (!heads.empty()) {
    const auto [value, index] = heads.top();
    heads.pop();
    if (!first && value == previous) return true;
    first = false;
    previous = value;
    // Stretches of one run are walked here without the queue.
    Run& run = runs[index];
    ++run.next;
    while (run.next < run.end && (heads.empty() || *run.next <= heads.top().first)) {
      if (*run.next == previous) return true;
      previous = *run.next++;
    }
    if (run.next < run.end) heads.push({*run.next, index});
  }
  return false;
}

}  // namespace churn::dataset
