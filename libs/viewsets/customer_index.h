#pragma once
// A ViewSet's row positions by customer id, patched by ViewSet::Update in proportion to the
// change instead of hashing every id again.
//
// Each customer id owns a slot: a number that stays with the id from view set to view set while
// its row is replaced, re-sorted or moved. The hash table maps ids to slots and is shared,
// immutable, by the view sets built from one full build (`base`), plus a small table of the slots
// added since (`overlay`, copied with each update); each view set then holds only its slots'
// positions (4 bytes a slot, renumbered in one pass of integers per update). The tables keep no
// ids: a lookup compares the id with the row its candidate slot holds in the asking view set, so
// a slot whose row left these views (a removed customer) never matches. An id that leaves and
// comes back gets a new slot; the tables are built afresh once such unused slots and added ones
// pass a share of the rows.

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "viewsets/at_risk_rows.h"

namespace churn::viewsets {

class CustomerIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  CustomerIndex() = default;
  // Every row of `rows` (positions index it); a repeated id finds its first row.
  explicit CustomerIndex(const AtRiskRows& rows);

  // What a view set built from `previous` by an update needs: `new_of_old` maps each position of
  // the previous rows to its position in `rows` (kNone: gone), and `added` names each row of
  // `rows` that is new to it with the slot its id had in `previous` (kNone: an id new to it).
  // The ids of `rows` must be unique.
  struct AddedRow {
    uint32_t position = 0;
    uint32_t slot = kNone;
  };
  static CustomerIndex Updated(const CustomerIndex& previous, const AtRiskRows& rows,
                               const std::vector<uint32_t>& new_of_old,
                               const std::vector<AddedRow>& added);

  // The position in `rows` (the rows this index was built or updated for) of the id's row.
  std::optional<uint32_t> Find(std::string_view id, const AtRiskRows& rows) const;
  // The id's slot (kNone when not found), for Updated's `added`, and a slot's position (kNone:
  // its id is not in these views).
  uint32_t FindSlot(std::string_view id, const AtRiskRows& rows) const;
  uint32_t Position(uint32_t slot) const {
    if (slot >= slots_) return kNone;
    return positions_.empty() ? slot : positions_[slot];
  }
  // Whether no id was repeated.
  bool unique() const { return unique_; }
  // The bytes of the tables (the shared one counted in full) and of the positions.
  int64_t bytes() const;

 private:
  // Open addressing with linear probing: slot + 1 per bucket (0: empty), a byte of the hash
  // beside it so most probes read no row.
  struct Table {
    std::vector<uint32_t> buckets;
    std::vector<uint8_t> tags;
    size_t used = 0;
  };
  // The slot of the id in `table`, among the slots with a row in `rows`; kNone when none.
  uint32_t Probe(const Table& table, size_t hash, std::string_view id,
                 const AtRiskRows& rows) const;
  // Buckets for `entries` ids.
  static Table EmptyTable(size_t entries);
  // Places `slot` (an id new to the table) in `table`, which has room for it.
  static void Insert(Table& table, size_t hash, uint32_t slot);

  std::shared_ptr<const Table> base_;
  Table overlay_;
  uint32_t base_slots_ = 0;  // the slots of base_: 0 .. base_slots_-1
  uint32_t slots_ = 0;       // every slot given so far (base and overlay)
  // Each slot's position (kNone: its id is not in these views); empty: slot == position.
  std::vector<uint32_t> positions_;
  bool unique_ = true;
};

}  // namespace churn::viewsets
