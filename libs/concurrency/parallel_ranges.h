#pragma once
// One pass over [0, count) split into consecutive ranges, each on a thread of its own for the
// length of the call: for the few whole-data passes (assembling every customer's signals,
// counting the views' tallies) where the rows are independent and a second core halves the wait.

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace churn::concurrency {

// Calls fill(part, begin, end) for each range, the first on the calling thread: as many parts
// as cores, at most `max_parts`, each of at least `min_per_part` rows (below that a thread costs
// more than it saves), so fewer rows run in one part on this thread. Returns the parts used.
template <typename Fill>
size_t ForEachRange(size_t count, size_t min_per_part, size_t max_parts, Fill&& fill) {
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t parts =
      std::clamp<size_t>(count / std::max<size_t>(min_per_part, 1), 1, std::min(cores, max_parts));
  std::vector<std::thread> workers;
  for (size_t p = 1; p < parts; ++p) {
    workers.emplace_back(
        [&fill, count, p, parts] { fill(p, count * p / parts, count * (p + 1) / parts); });
  }
  fill(size_t{0}, size_t{0}, count / parts);
  for (std::thread& worker : workers) worker.join();
  return parts;
}

}  // namespace churn::concurrency
