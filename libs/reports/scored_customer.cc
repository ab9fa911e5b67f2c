#include "reports/scored_customer.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <thread>
#include <utility>

#include <sys/mman.h>
#include <unistd.h>

namespace churn::reports {

namespace {

// Gives the pages of `v`'s capacity past its last element back to the system. They hold no
// objects (the elements there were destroyed), so nothing reads them before a later push_back
// writes them again; both ends are rounded inward to whole pages, so no neighbouring allocation
// is touched.
template <typename T>
void ReleaseSpareCapacity(std::vector<T>& v) {
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<uintptr_t>(v.data() + v.size());
  const auto end = reinterpret_cast<uintptr_t>(v.data() + v.capacity());
  const uintptr_t first = (begin + page - 1) / page * page;
  const uintptr_t last = end / page * page;
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

// Below this many rows a second thread costs more than it saves.
constexpr size_t kParallelSortRows = 1 << 14;

// Sorts positions, then moves each customer once along the permutation's cycles: no temporary
// array of whole customers (std::stable_sort's buffer) and no repeated moves of them while
// sorting. `reversed`: the rows are in reverse input order, and ties keep the input order.
void SortPositions(std::vector<ScoredCustomer>* customers, bool reversed) {
  std::vector<ScoredCustomer>& c = *customers;
  std::vector<uint32_t> order(c.size());
  std::iota(order.begin(), order.end(), 0u);
  if (reversed) std::reverse(order.begin(), order.end());
  auto before = [&c](uint32_t a, uint32_t b) {
    return scoring::AtRiskBefore(c[a].assessment, c[a].signals.arr, c[b].assessment,
                                 c[b].signals.arr);
  };
  // Each half on its own thread, then merged: std::merge takes the first half's element of
  // two equal ones, so the whole stays a stable sort.
  const auto middle = order.begin() + static_cast<std::ptrdiff_t>(order.size() / 2);
  if (order.size() >= kParallelSortRows) {
    std::thread first([&] { std::stable_sort(order.begin(), middle, before); });
    std::stable_sort(middle, order.end(), before);
    first.join();
    std::vector<uint32_t> merged(order.size());
    std::merge(order.begin(), middle, middle, order.end(), merged.begin(), before);
    order = std::move(merged);
  } else {
    std::stable_sort(order.begin(), order.end(), before);
  }
  // Position i takes the customer now at order[i]; done[] marks positions already filled.
  std::vector<bool> done(c.size(), false);
  for (size_t start = 0; start < c.size(); ++start) {
    if (done[start] || order[start] == start) continue;
    ScoredCustomer held = std::move(c[start]);
    size_t at = start;
    while (order[at] != start) {
      c[at] = std::move(c[order[at]]);
      done[at] = true;
      at = order[at];
    }
    c[at] = std::move(held);
    done[at] = true;
  }
}

}  // namespace

std::vector<ScoredCustomer> ScoreAll(const scoring::RuleSet& rules,
                                     std::vector<CustomerSignals> customers) {
  // From the last customer back, releasing the input's emptied tail every few thousand rows:
  // the input and the scored rows (1.4x its size) are then never both resident in full, which
  // was the peak memory of `churnctl score`.
  constexpr size_t kReleaseEvery = 4096;
  std::vector<ScoredCustomer> scored;
  scored.reserve(customers.size());
  while (!customers.empty()) {
    CustomerSignals& signals = customers.back();
    scoring::Assessment assessment = scoring::ScoreCustomer(rules, signals);
    scored.push_back(ScoredCustomer{std::move(signals), std::move(assessment)});
    customers.pop_back();
    if (customers.size() % kReleaseEvery == 0) ReleaseSpareCapacity(customers);
  }
  customers = {};
  SortPositions(&scored, /*reversed=*/true);
  return scored;
}

void SortAtRisk(std::vector<ScoredCustomer>* customers) {
  SortPositions(customers, /*reversed=*/false);
}

}  // namespace churn::reports
