#include "viewsets/at_risk_index.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"

namespace churn::viewsets {
namespace {

// Row positions sorted on a field, ties by position (which keeps the at-risk order), and for
// each position in that order whether its value equals the previous one's: the runs of equal
// values, found while the keys are at hand rather than by comparing rows again.
struct SortedField {
  std::vector<uint32_t> positions;
  std::vector<uint8_t> same_as_previous;
};

// Positions sorted by `keys` (keys[i] is position i's), ties by position: a least-significant-
// byte-first radix sort, stable pass after pass, skipping the bytes every key shares (the high
// bytes of small counts, the low bytes of round amounts). O(n) per pass where the comparison
// sort made about log2(n) passes over the keys.
SortedField SortedByKey(const std::vector<uint64_t>& keys) {
  const size_t n = keys.size();
  struct Keyed {
    uint64_t key;
    uint32_t position;
  };
  std::vector<Keyed> from(n), to(n);
  std::vector<std::array<uint32_t, 256>> counts(8);
  for (auto& count : counts) count.fill(0);
  for (uint32_t i = 0; i < n; ++i) {
    from[i] = Keyed{keys[i], i};
    for (int byte = 0; byte < 8; ++byte) ++counts[byte][(keys[i] >> (8 * byte)) & 0xff];
  }
  for (int byte = 0; byte < 8; ++byte) {
    std::array<uint32_t, 256>& count = counts[byte];
    if (n == 0 || count[(from[0].key >> (8 * byte)) & 0xff] == n) continue;  // shared by all
    uint32_t sum = 0;
    for (uint32_t& c : count) sum += std::exchange(c, sum);  // -> each digit's first slot
    for (const Keyed& keyed : from) to[count[(keyed.key >> (8 * byte)) & 0xff]++] = keyed;
    from.swap(to);
  }
  SortedField sorted;
  sorted.positions.resize(n);
  sorted.same_as_previous.resize(n);
  for (size_t i = 0; i < n; ++i) {
    sorted.positions[i] = from[i].position;
    sorted.same_as_previous[i] = i > 0 && from[i - 1].key == from[i].key;
  }
  return sorted;
}

// A double as a key that orders as the numbers do: -0 as 0, and NaN after every number (NaNs
// equal among themselves), where the comparisons left a NaN's place unspecified.
uint64_t OrderedKey(double value) {
  if (std::isnan(value)) return UINT64_MAX;
  if (value == 0) value = 0;
  const auto bits = std::bit_cast<uint64_t>(value);
  return (bits >> 63) != 0 ? ~bits : bits | (uint64_t{1} << 63);
}

uint64_t OrderedKey(int64_t value) { return static_cast<uint64_t>(value) ^ (uint64_t{1} << 63); }

// Text keys: the first 32 bytes as four big-endian numbers compare like the text itself, and for
// texts of at most 32 bytes the length settles the rest (a prefix sorts first), so the sort
// reads the rows' strings only for longer texts whose first 32 bytes are equal. (16 bytes left
// generated names such as "Granite Systems GmbH 12" to a string comparison per pair, reading
// two rows each: two thirds of a million-row views build.)
constexpr size_t kKeyWords = 4;
constexpr uint32_t kLongText = 8 * kKeyWords + 1;

struct TextKey {
  std::array<uint64_t, kKeyWords> words{};
  uint32_t length = 0;  // capped at kLongText: "longer than the key"
  uint32_t position = 0;
};

uint64_t BigEndianBytes(std::string_view text, size_t from) {
  uint64_t value = 0;
  for (size_t i = from; i < from + 8; ++i) {
    value = (value << 8) | (i < text.size() ? static_cast<unsigned char>(text[i]) : 0u);
  }
  return value;
}

template <typename TextOf>
SortedField SortedByText(size_t n, TextOf text_of) {
  std::vector<TextKey> keys(n);
  for (uint32_t i = 0; i < n; ++i) {
    const std::string_view text = text_of(i);
    TextKey& key = keys[i];
    for (size_t w = 0; w < kKeyWords && 8 * w < text.size(); ++w) {
      key.words[w] = BigEndianBytes(text, 8 * w);
    }
    key.length = static_cast<uint32_t>(std::min<size_t>(text.size(), kLongText));
    key.position = i;
  }
  // By the first 8 bytes first, with the radix sort (positions ascending among equal ones); then
  // each run of keys equal there sorted on the rest, a short sort in cache each, where one sort
  // of all the keys compared the first words again at every step.
  std::vector<uint64_t> first_words(n);
  for (size_t i = 0; i < n; ++i) first_words[i] = keys[i].words[0];
  const SortedField by_first = SortedByKey(first_words);
  first_words = {};
  {
    std::vector<TextKey> ordered(n);
    for (size_t i = 0; i < n; ++i) ordered[i] = keys[by_first.positions[i]];
    keys = std::move(ordered);
  }
  // -1, 0 or 1 comparing the texts of two keys.
  auto compare = [&](const TextKey& a, const TextKey& b) {
    for (size_t w = 0; w < kKeyWords; ++w) {
      if (a.words[w] != b.words[w]) return a.words[w] < b.words[w] ? -1 : 1;
    }
    if (a.length < kLongText || b.length < kLongText) {
      return a.length == b.length ? 0 : (a.length < b.length ? -1 : 1);
    }
    const int order = text_of(a.position).compare(text_of(b.position));
    return order < 0 ? -1 : (order > 0 ? 1 : 0);
  };
  auto before = [&](const TextKey& a, const TextKey& b) {
    const int order = compare(a, b);
    return order != 0 ? order < 0 : a.position < b.position;
  };
  for (size_t begin = 0; begin < n;) {
    size_t end = begin + 1;
    while (end < n && by_first.same_as_previous[end]) ++end;
    if (end - begin > 1) {
      std::sort(keys.begin() + static_cast<std::ptrdiff_t>(begin),
                keys.begin() + static_cast<std::ptrdiff_t>(end), before);
    }
    begin = end;
  }
  SortedField sorted;
  sorted.positions.resize(n);
  sorted.same_as_previous.resize(n);
  for (size_t i = 0; i < n; ++i) {
    sorted.positions[i] = keys[i].position;
    sorted.same_as_previous[i] = i > 0 && compare(keys[i - 1], keys[i]) == 0;
  }
  return sorted;
}

// A text field with few distinct values (account names, plan tiers): each distinct text sorted
// once (SortedByText), then the rows placed by their text's rank with a counting sort, which keeps
// equal texts in position order. Reads each row's text once, where the comparison sort read the
// texts (and compared long equal ones in full) about log2(n) times. Nothing when more than
// `max_distinct` texts differ: the comparison sort is then the cheaper one.
template <typename TextOf>
std::optional<SortedField> SortedByTextRank(size_t n, TextOf text_of, size_t max_distinct) {
  {
    // A look at the first rows first: names that hardly repeat are not hashed a million times
    // only to give up.
    absl::flat_hash_set<std::string_view> sample;
    const size_t sampled = std::min<size_t>(n, 4096);
    for (uint32_t i = 0; i < sampled; ++i) sample.insert(text_of(i));
    if (sample.size() > std::max<size_t>(16, sampled / 4)) return std::nullopt;
  }
  absl::flat_hash_map<std::string_view, uint32_t> ids;
  std::vector<std::string_view> distinct;
  std::vector<uint32_t> id_of_row(n);
  for (uint32_t i = 0; i < n; ++i) {
    const std::string_view text = text_of(i);
    auto [it, inserted] = ids.try_emplace(text, static_cast<uint32_t>(distinct.size()));
    if (inserted) {
      if (distinct.size() == max_distinct) return std::nullopt;
      distinct.push_back(text);
    }
    id_of_row[i] = it->second;
  }
  ids = {};
  const SortedField by_text =
      SortedByText(distinct.size(), [&](uint32_t id) { return distinct[id]; });
  // rank_of_id: the text's place in text order; start: each rank's first place in the order.
  std::vector<uint32_t> rank_of_id(distinct.size());
  for (uint32_t rank = 0; rank < by_text.positions.size(); ++rank) {
    rank_of_id[by_text.positions[rank]] = rank;
  }
  std::vector<uint32_t> start(distinct.size() + 1, 0);
  for (uint32_t& id : id_of_row) {
    id = rank_of_id[id];
    ++start[id + 1];
  }
  for (size_t rank = 1; rank < start.size(); ++rank) start[rank] += start[rank - 1];
  SortedField sorted;
  sorted.positions.resize(n);
  sorted.same_as_previous.assign(n, 1);
  for (size_t rank = 0; rank + 1 < start.size(); ++rank) {
    if (start[rank] < n) sorted.same_as_previous[start[rank]] = 0;
  }
  for (uint32_t i = 0; i < n; ++i) sorted.positions[start[id_of_row[i]]++] = i;
  return sorted;
}

// `ascending` sorted on a field with ties in at-risk order -> the field descending with ties
// still in at-risk order: the runs of equal values in reverse, each run kept as it is.
std::vector<uint32_t> ReverseRuns(const SortedField& ascending) {
  const std::vector<uint32_t>& positions = ascending.positions;
  std::vector<uint32_t> descending;
  descending.reserve(positions.size());
  size_t end = positions.size();
  while (end > 0) {
    size_t begin = end - 1;
    while (begin > 0 && ascending.same_as_previous[begin]) --begin;
    descending.insert(descending.end(), positions.begin() + static_cast<std::ptrdiff_t>(begin),
                      positions.begin() + static_cast<std::ptrdiff_t>(end));
    end = begin;
  }
  return descending;
}

// Below this many rows a second thread for the merged orders costs more than it saves.
constexpr size_t kParallelMergeRows = 1 << 15;

}  // namespace

int CompareAtRiskField(AtRiskSort sort, const reports::ScoredCustomer& a,
                       const reports::ScoredCustomer& b) {
  auto three_way = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (sort) {
    case AtRiskSort::kRiskScore: return three_way(a.assessment.risk_score, b.assessment.risk_score);
    case AtRiskSort::kArr: return three_way(a.signals.arr, b.signals.arr);
    case AtRiskSort::kCustomerId: return three_way(a.signals.customer_id, b.signals.customer_id);
    case AtRiskSort::kAccountName: return three_way(a.signals.account_name, b.signals.account_name);
    case AtRiskSort::kPlanTier: return three_way(a.signals.plan_tier, b.signals.plan_tier);
    case AtRiskSort::kUsageDropPct:
      return three_way(a.signals.usage_drop_pct, b.signals.usage_drop_pct);
    case AtRiskSort::kTickets30d: return three_way(a.signals.tickets_30d, b.signals.tickets_30d);
    case AtRiskSort::kScoreChange30d: return 0;  // from the movements, not the rows
  }
  return 0;
}

AtRiskIndex::AtRiskIndex(const AtRiskRows& rows) {
  const size_t n = rows.size();
  levels_.resize(n);
  churned_.resize(n);
  arr_.resize(n);
  tiers_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const reports::ScoredCustomer& row = rows[i];
    levels_[i] = static_cast<uint8_t>(row.assessment.risk_level);
    churned_[i] = row.signals.churned ? 1 : 0;
    arr_[i] = row.signals.arr;
    min_arr_ = std::min(min_arr_, row.signals.arr);  // NaN never lowers it and never fails a filter
    auto [it, inserted] = tier_ids_.try_emplace(absl::AsciiStrToLower(row.signals.plan_tier),
                                                static_cast<uint32_t>(tier_ids_.size()));
    tiers_[i] = it->second;
  }

  auto sort_one = [&](AtRiskSort sort) {
    SortedField ascending;
    switch (sort) {
      case AtRiskSort::kRiskScore: {
        // The rows are in at-risk order already: that is this field descending.
        SortedField identity;
        identity.positions.resize(n);
        std::iota(identity.positions.begin(), identity.positions.end(), 0u);
        orders_[static_cast<int>(sort)][1] = identity.positions;
        // Score ascending: the runs of equal scores in reverse.
        identity.same_as_previous.resize(n);
        for (size_t i = 1; i < n; ++i) {
          identity.same_as_previous[i] =
              rows[i - 1].assessment.risk_score == rows[i].assessment.risk_score;
        }
        orders_[static_cast<int>(sort)][0] = ReverseRuns(identity);
        return;
      }
      case AtRiskSort::kArr:
      case AtRiskSort::kUsageDropPct: {
        std::vector<uint64_t> keys(n);
        for (uint32_t i = 0; i < n; ++i) {
          keys[i] = OrderedKey(sort == AtRiskSort::kArr ? rows[i].signals.arr
                                                        : rows[i].signals.usage_drop_pct);
        }
        ascending = SortedByKey(keys);
        break;
      }
      case AtRiskSort::kTickets30d: {
        std::vector<uint64_t> keys(n);
        for (uint32_t i = 0; i < n; ++i) keys[i] = OrderedKey(rows[i].signals.tickets_30d);
        ascending = SortedByKey(keys);
        break;
      }
      case AtRiskSort::kCustomerId:
        ascending = SortedByText(
            n, [&](uint32_t i) -> std::string_view { return rows[i].signals.customer_id; });
        break;
      case AtRiskSort::kAccountName:
      case AtRiskSort::kPlanTier: {
        // Names and tiers repeat (a generated base has a few hundred names for a million rows).
        auto text_of = [&](uint32_t i) -> std::string_view {
          return sort == AtRiskSort::kAccountName ? rows[i].signals.account_name
                                                  : rows[i].signals.plan_tier;
        };
        std::optional<SortedField> ranked = SortedByTextRank(n, text_of, n / 4 + 16);
        ascending = ranked ? *std::move(ranked) : SortedByText(n, text_of);
        break;
      }
      case AtRiskSort::kScoreChange30d: return;
    }
    orders_[static_cast<int>(sort)][1] = ReverseRuns(ascending);
    orders_[static_cast<int>(sort)][0] = std::move(ascending.positions);
  };

  // The sorts are independent: two threads share them (more would only add peak memory).
  std::atomic<int> next{0};
  auto worker = [&] {
    for (int k = next++; k < kAtRiskSortCount; k = next++) sort_one(static_cast<AtRiskSort>(k));
  };
  if (n < 100000) {
    worker();
  } else {
    std::thread helper(worker);
    worker();
    helper.join();
  }
}

AtRiskIndex::AtRiskIndex(const AtRiskIndex& previous, const AtRiskRows& rows,
                         const std::vector<uint32_t>& old_of_new,
                         const std::vector<uint32_t>& new_of_old) {
  constexpr uint32_t kNone = UINT32_MAX;
  const size_t n = rows.size();
  levels_.resize(n);
  churned_.resize(n);
  arr_.resize(n);
  tiers_.resize(n);
  // Tier ids renumbered in order of first appearance, as the full build numbers them.
  std::vector<const std::string*> tier_names(previous.tier_ids_.size());
  for (const auto& [name, id] : previous.tier_ids_) tier_names[id] = &name;
  std::vector<uint32_t> renumbered(tier_names.size(), kNone);
  std::vector<uint32_t> added;
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t old = old_of_new[i];
    if (old == kNone) {
      const reports::ScoredCustomer& row = rows[i];
      added.push_back(i);
      levels_[i] = static_cast<uint8_t>(row.assessment.risk_level);
      churned_[i] = row.signals.churned ? 1 : 0;
      arr_[i] = row.signals.arr;
      auto [it, inserted] = tier_ids_.try_emplace(absl::AsciiStrToLower(row.signals.plan_tier),
                                                  static_cast<uint32_t>(tier_ids_.size()));
      tiers_[i] = it->second;
    } else {
      levels_[i] = previous.levels_[old];
      churned_[i] = previous.churned_[old];
      arr_[i] = previous.arr_[old];
      uint32_t& tier = renumbered[previous.tiers_[old]];
      if (tier == kNone) {
        tier = tier_ids_
                   .try_emplace(*tier_names[previous.tiers_[old]],
                                static_cast<uint32_t>(tier_ids_.size()))
                   .first->second;
      }
      tiers_[i] = tier;
    }
    min_arr_ = std::min(min_arr_, arr_[i]);
  }

  // Each order: the previous one renumbered (O(n) in a tight loop) with the new rows merged in.
  auto merge_one = [&](int s, bool descending, std::vector<uint32_t>& fresh) {
    const auto sort = static_cast<AtRiskSort>(s);
    std::vector<uint32_t>& order = orders_[s][descending];
    if (sort == AtRiskSort::kRiskScore && descending) {
      // The rows are in at-risk order already: that is this field descending.
      order.resize(n);
      std::iota(order.begin(), order.end(), 0u);
      return;
    }
    // The field in the direction, ties in at-risk order (by position).
    auto before = [&](uint32_t a, uint32_t b) {
      const int field = CompareAtRiskField(sort, rows[a], rows[b]);
      if (field != 0) return descending ? field > 0 : field < 0;
      return a < b;
    };
    // The kept rows, renumbered, written behind room for the new ones, without a branch per row
    // (the gone rows are few and anywhere): each entry is written before it is known to stay,
    // hence one entry of room past the end.
    const std::vector<uint32_t>& previous_order = previous.orders_[s][descending];
    order.resize(std::max(n, previous_order.size()) + 1);
    uint32_t* const begin = order.data();
    uint32_t* kept_end = begin + added.size();
    for (uint32_t old : previous_order) {
      const uint32_t now = new_of_old[old];
      *kept_end = now;
      kept_end += now != kNone;
    }
    // The new rows merged in from the front: each run of kept rows moves down by the new rows
    // still to come, and the last run is in place already.
    fresh = added;
    std::sort(fresh.begin(), fresh.end(), before);
    uint32_t* out = begin;
    const uint32_t* from = begin + added.size();
    for (uint32_t row : fresh) {
      const uint32_t* at =
          std::lower_bound(from, static_cast<const uint32_t*>(kept_end), row, before);
      out = std::copy(from, at, out);  // down, overlapping: copy runs front to back
      *out++ = row;
      from = at;
    }
    order.resize(n);
  };
  // The orders are independent: two threads share them for many rows.
  std::atomic<int> next{0};
  auto worker = [&] {
    std::vector<uint32_t> fresh;
    for (int k = next++; k < 2 * kAtRiskSortCount; k = next++) {
      if (static_cast<AtRiskSort>(k / 2) == AtRiskSort::kScoreChange30d) continue;
      merge_one(k / 2, k % 2 == 1, fresh);
    }
  };
  if (n < kParallelMergeRows) {
    worker();
  } else {
    std::thread helper(worker);
    worker();
    helper.join();
  }
}

const std::vector<uint32_t>& AtRiskIndex::Order(AtRiskSort sort, bool descending) const {
  return orders_[static_cast<int>(sort)][descending ? 1 : 0];
}

std::optional<uint32_t> AtRiskIndex::TierId(std::string_view tier) const {
  auto it = tier_ids_.find(absl::AsciiStrToLower(std::string(tier)));
  if (it == tier_ids_.end()) return std::nullopt;
  return it->second;
}

MovementColumns::MovementColumns(const AtRiskRows& rows,
                                 const riskhistory::RiskMovements* movements) {
  const size_t n = rows.size();
  score_change_30d.assign(n, kNoChange);
  entered_high.assign(n, 0);
  if (movements != nullptr) {
    // Rows and their hash slots are scattered over memory: both are fetched ahead, the row
    // (whose id the slot's hash needs) twice as far ahead as the slot.
    constexpr size_t kSlotAhead = 8;
    constexpr size_t kRowAhead = 2 * kSlotAhead;
    for (size_t i = 0; i < n; ++i) {
      if (i + kRowAhead < n) __builtin_prefetch(&rows[i + kRowAhead].signals.customer_id);
      if (i + kSlotAhead < n) {
        movements->by_customer.prefetch(rows[i + kSlotAhead].signals.customer_id);
      }
      const riskhistory::RiskMovement* movement = movements->Find(rows[i].signals.customer_id);
      if (movement == nullptr) continue;
      entered_high[i] = movement->entered_high ? 1 : 0;
      if (movement->score_change_30d) score_change_30d[i] = *movement->score_change_30d;
    }
  }
  // By change, ties in at-risk order, rows without a change last in at-risk order: a counting
  // sort over the changes' range (scores are 0-100, so changes span at most 201 values), both
  // directions from the same buckets.
  int32_t low = INT32_MAX, high = INT32_MIN;
  size_t with_change = 0;
  for (int32_t change : score_change_30d) {
    if (change == kNoChange) continue;
    low = std::min(low, change);
    high = std::max(high, change);
    ++with_change;
  }
  for (std::vector<uint32_t>& order : by_change) order.resize(n);
  constexpr int64_t kMaxBuckets = 1 << 16;
  if (with_change > 0 && int64_t{high} - low + 1 > kMaxBuckets) {
    // A history with changes far outside the score scale: sorted by comparison instead.
    std::vector<std::pair<int32_t, uint32_t>> changed;
    changed.reserve(with_change);
    for (uint32_t i = 0; i < n; ++i) {
      if (score_change_30d[i] != kNoChange) changed.emplace_back(score_change_30d[i], i);
    }
    std::sort(changed.begin(), changed.end());
    for (size_t k = 0; k < changed.size(); ++k) by_change[0][k] = changed[k].second;
    std::stable_sort(changed.begin(), changed.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t k = 0; k < changed.size(); ++k) by_change[1][k] = changed[k].second;
  } else if (with_change > 0) {
    const size_t buckets = static_cast<size_t>(high - low) + 1;
    std::vector<uint32_t> ascending_start(buckets + 1, 0);
    for (int32_t change : score_change_30d) {
      if (change != kNoChange) ++ascending_start[static_cast<size_t>(change - low) + 1];
    }
    for (size_t b = 0; b < buckets; ++b) ascending_start[b + 1] += ascending_start[b];
    // Descending: bucket b starts after every larger change.
    std::vector<uint32_t> descending_start(buckets);
    for (size_t b = 0; b < buckets; ++b) {
      descending_start[b] = static_cast<uint32_t>(with_change) - ascending_start[b + 1];
    }
    for (uint32_t i = 0; i < n; ++i) {
      const int32_t change = score_change_30d[i];
      if (change == kNoChange) continue;
      const size_t b = static_cast<size_t>(change - low);
      by_change[0][ascending_start[b]++] = i;
      by_change[1][descending_start[b]++] = i;
    }
  }
  size_t next = with_change;
  for (uint32_t i = 0; i < n; ++i) {
    if (score_change_30d[i] != kNoChange) continue;
    by_change[0][next] = i;
    by_change[1][next] = i;
    ++next;
  }
}

int64_t AtRiskIndex::ApproxBytes() const {
  int64_t bytes =
      static_cast<int64_t>(levels_.capacity() + churned_.capacity() +
                           arr_.capacity() * sizeof(double) + tiers_.capacity() * sizeof(uint32_t));
  for (const auto& by_direction : orders_) {
    for (const std::vector<uint32_t>& order : by_direction) {
      bytes += static_cast<int64_t>(order.capacity() * sizeof(uint32_t));
    }
  }
  return bytes;
}

}  // namespace churn::viewsets
