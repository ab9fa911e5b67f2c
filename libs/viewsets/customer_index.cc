#include "viewsets/customer_index.h"

#include <algorithm>
#include <bit>

#include "absl/hash/hash.h"

namespace churn::viewsets {
namespace {

size_t HashOf(std::string_view id) { return absl::HashOf(id); }
uint8_t TagOf(size_t hash) { return static_cast<uint8_t>(hash >> (8 * sizeof(size_t) - 8)); }

}  // namespace

CustomerIndex::Table CustomerIndex::EmptyTable(size_t entries) {
  // At most 3/4 full; a power of two, so the hash's low bits pick the bucket.
  const size_t buckets = std::bit_ceil(std::max<size_t>(16, entries + entries / 3 + 1));
  Table table;
  table.buckets.assign(buckets, 0);
  table.tags.assign(buckets, 0);
  return table;
}

void CustomerIndex::Insert(Table& table, size_t hash, uint32_t slot) {
  const size_t mask = table.buckets.size() - 1;
  for (size_t at = hash & mask;; at = (at + 1) & mask) {
    if (table.buckets[at] == 0) {
      table.buckets[at] = slot + 1;
      table.tags[at] = TagOf(hash);
      ++table.used;
      return;
    }
  }
}

uint32_t CustomerIndex::Probe(const Table& table, size_t hash, std::string_view id,
                              const AtRiskRows& rows) const {
  if (table.buckets.empty()) return kNone;
  const size_t mask = table.buckets.size() - 1;
  const uint8_t tag = TagOf(hash);
  for (size_t at = hash & mask;; at = (at + 1) & mask) {
    const uint32_t entry = table.buckets[at];
    if (entry == 0) return kNone;
    if (table.tags[at] != tag) continue;
    const uint32_t slot = entry - 1;
    const uint32_t position = Position(slot);
    // A slot without a row here belongs to an id these views no longer hold.
    if (position != kNone && rows[position].signals.customer_id == id) return slot;
  }
}

CustomerIndex::CustomerIndex(const AtRiskRows& rows) {
  const uint32_t n = static_cast<uint32_t>(rows.size());
  auto base = std::make_shared<Table>(EmptyTable(n));
  // slot == position; Probe reads Position(), so the slots count as given as they are placed.
  for (uint32_t i = 0; i < n; ++i) {
    const std::string_view id = rows[i].signals.customer_id;
    const size_t hash = HashOf(id);
    slots_ = i;  // the rows before i only
    if (Probe(*base, hash, id, rows) != kNone) {
      unique_ = false;  // a repeated id keeps its first row
      continue;
    }
    Insert(*base, hash, i);
  }
  slots_ = n;
  base_slots_ = n;
  base_ = std::move(base);
}

CustomerIndex CustomerIndex::Updated(const CustomerIndex& previous, const AtRiskRows& rows,
                                     const std::vector<uint32_t>& new_of_old,
                                     const std::vector<AddedRow>& added) {
  const size_t n = rows.size();
  size_t new_ids = 0;
  for (const AddedRow& row : added) new_ids += row.slot == kNone;
  // Unused slots (ids gone, or given a new slot) and the overlay's: past a share of the rows,
  // one full build costs less than carrying them.
  const size_t slots = previous.slots_ + new_ids;
  const size_t unused = slots - std::min(slots, n);
  const size_t overlay = slots - previous.base_slots_;
  if (!previous.base_ || unused + overlay > n / 16 + 1024) return CustomerIndex(rows);

  CustomerIndex index;
  index.base_ = previous.base_;
  index.base_slots_ = previous.base_slots_;
  index.overlay_ = previous.overlay_;
  index.slots_ = previous.slots_;
  // The previous slots renumbered: one pass over integers.
  index.positions_.resize(slots);
  for (uint32_t slot = 0; slot < previous.slots_; ++slot) {
    const uint32_t old = previous.Position(slot);
    index.positions_[slot] = old == kNone ? kNone : new_of_old[old];
  }
  // A replaced row keeps its id's slot; a new id gets the next one.
  std::vector<std::pair<uint32_t, size_t>> placed;  // new slot, hash
  for (const AddedRow& row : added) {
    uint32_t slot = row.slot;
    if (slot == kNone) {
      slot = index.slots_++;
      placed.emplace_back(slot, HashOf(rows[row.position].signals.customer_id));
    }
    index.positions_[slot] = row.position;
  }
  if (!placed.empty()) {
    const size_t entries = index.overlay_.used + placed.size();
    if (entries + entries / 3 + 1 > index.overlay_.buckets.size()) {
      // Grown: every overlay slot placed again, its hash from the row it holds here or, for a
      // slot whose id left, dropped (it can never match again).
      Table grown = EmptyTable(entries * 2);
      for (uint32_t slot = index.base_slots_; slot < previous.slots_; ++slot) {
        const uint32_t position = index.positions_[slot];
        if (position != kNone) Insert(grown, HashOf(rows[position].signals.customer_id), slot);
      }
      index.overlay_ = std::move(grown);
    }
    for (const auto& [slot, hash] : placed) Insert(index.overlay_, hash, slot);
  }
  return index;
}

std::optional<uint32_t> CustomerIndex::Find(std::string_view id, const AtRiskRows& rows) const {
  const uint32_t slot = FindSlot(id, rows);
  if (slot == kNone) return std::nullopt;
  return Position(slot);
}

uint32_t CustomerIndex::FindSlot(std::string_view id, const AtRiskRows& rows) const {
  if (!base_) return kNone;
  const size_t hash = HashOf(id);
  const uint32_t slot = Probe(*base_, hash, id, rows);
  if (slot != kNone) return slot;
  return Probe(overlay_, hash, id, rows);
}

int64_t CustomerIndex::bytes() const {
  int64_t bytes = static_cast<int64_t>(positions_.capacity() * sizeof(uint32_t) +
                                       overlay_.buckets.capacity() * (sizeof(uint32_t) + 1));
  if (base_) bytes += static_cast<int64_t>(base_->buckets.capacity() * (sizeof(uint32_t) + 1));
  return bytes;
}

}  // namespace churn::viewsets
