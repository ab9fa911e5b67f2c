#include "reports/scored_customer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string_view>
#include <thread>
#include <utility>

#include "reports/spare_capacity.h"

namespace churn::reports {

namespace {

// Below this many rows a second thread costs more than it saves.
constexpr size_t kParallelSortRows = 1 << 14;

// Sorts positions, then moves each customer once along the permutation's cycles: no temporary
// array of whole customers (std::stable_sort's buffer) and no repeated moves of them while
// sorting. `reversed`: the rows are in reverse input order, and ties keep the input order.
void SortPositions(std::vector<ScoredCustomer>* customers, bool reversed) {
  std::vector<ScoredCustomer>& c = *customers;
  // The fields the order reads first, side by side: the sort then reads the wide rows only to
  // break a tie of score and ARR by id (rather than at every comparison, a cache miss each).
  // The id's first 8 bytes as a big-endian number (zeros past its end) order two ids that differ
  // there as the ids do; equal prefixes (a longer id, a NUL byte, a repeated id) read the ids.
  // Scores and ARRs tie often (round amounts), and each tie broken by reading two rows was a
  // cache miss each.
  struct Key {
    double arr;
    int32_t score;
    uint32_t position;
    uint64_t id_prefix;
  };
  auto id_prefix = [](std::string_view id) {
    uint64_t value = 0;
    for (size_t i = 0; i < 8; ++i) {
      value = (value << 8) | (i < id.size() ? static_cast<unsigned char>(id[i]) : 0u);
    }
    return value;
  };
  std::vector<Key> keys(c.size());
  for (size_t i = 0; i < c.size(); ++i) {
    const size_t at = reversed ? c.size() - 1 - i : i;
    keys[i] = Key{c[at].signals.arr, c[at].assessment.risk_score, static_cast<uint32_t>(at),
                  id_prefix(c[at].assessment.customer_id)};
  }
  // scoring::AtRiskBefore, reading the keys.
  auto before = [&c](const Key& a, const Key& b) {
    if (a.score != b.score) return a.score > b.score;
    const bool a_unknown = std::isnan(a.arr);
    const bool b_unknown = std::isnan(b.arr);
    if (a_unknown != b_unknown) return b_unknown;
    if (!a_unknown && a.arr != b.arr) return a.arr > b.arr;
    if (a.id_prefix != b.id_prefix) return a.id_prefix < b.id_prefix;
    return c[a.position].assessment.customer_id < c[b.position].assessment.customer_id;
  };
  // Each half on its own thread, then merged: std::merge takes the first half's element of
  // two equal ones, so the whole stays a stable sort.
  const auto middle = keys.begin() + static_cast<std::ptrdiff_t>(keys.size() / 2);
  if (keys.size() >= kParallelSortRows) {
    std::thread first([&] { std::stable_sort(keys.begin(), middle, before); });
    std::stable_sort(middle, keys.end(), before);
    first.join();
    std::vector<Key> merged(keys.size());
    std::merge(keys.begin(), middle, middle, keys.end(), merged.begin(), before);
    keys = std::move(merged);
  } else {
    std::stable_sort(keys.begin(), keys.end(), before);
  }
  std::vector<uint32_t> order(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) order[i] = keys[i].position;
  keys = {};
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

std::vector<ScoredCustomer> JoinScored(std::vector<CustomerSignals> signals,
                                       const std::vector<uint32_t>& to_score,
                                       std::vector<scoring::Assessment> assessments,
                                       std::vector<std::optional<SecondOpinion>> opinions) {
  // From the last row back, releasing the taken signals and assessments every few thousand rows
  // (a refresh of a million customers held ~470 MB of these arrays twice over), then reversed
  // into to_score's order (the order repeated ids keep in the views).
  constexpr size_t kReleaseEvery = 4096;
  std::vector<ScoredCustomer> scored;
  scored.reserve(to_score.size());
  for (size_t k = to_score.size(); k-- > 0;) {
    ScoredCustomer& row = scored.emplace_back();
    row.signals = std::move(signals[to_score[k]]);
    row.assessment = std::move(assessments[k]);
    if (!opinions.empty() && opinions[k]) row.second_opinion = *std::move(opinions[k]);
    // to_score ascends: the signals from this one on are taken or not scored.
    signals.erase(signals.begin() + to_score[k], signals.end());
    assessments.pop_back();
    if (k % kReleaseEvery == 0) {
      ReleaseSpareCapacity(signals);
      ReleaseSpareCapacity(assessments);
    }
  }
  std::reverse(scored.begin(), scored.end());
  return scored;
}

void SortAtRisk(std::vector<ScoredCustomer>* customers) {
  SortPositions(customers, /*reversed=*/false);
}

}  // namespace churn::reports
