#pragma once
// What the at-risk query reads instead of the rows themselves, built once per ViewSet when the
// views are published: every sort order of the list as a ready permutation of row positions
// (ties in at-risk order, both directions), and the filter fields as compact columns. A query then
// walks one ready order testing a few bytes per row, and never sorts or touches the wide rows
// (at_risk_query.cc).

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "reports/scored_customer.h"
#include "viewsets/at_risk_rows.h"
#include "riskhistory/risk_movements.h"
#include "scoring/engine.h"
#include "viewsets/at_risk_sort.h"

namespace churn::viewsets {

// -1, 0 or 1 comparing a and b on the sort field, ascending (0 for kScoreChange30d).
int CompareAtRiskField(AtRiskSort sort, const reports::ScoredCustomer& a,
                       const reports::ScoredCustomer& b);

class AtRiskIndex {
 public:
  AtRiskIndex() = default;
  // `rows` in at-risk order (risk_score desc, arr desc, customer_id asc); positions index it.
  explicit AtRiskIndex(const AtRiskRows& rows);
  // The index `rows` would get, from `previous`, the index of the rows before a few changed:
  // `old_of_new[p]` is the previous position of the row now at p (UINT32_MAX: a new row) and
  // `new_of_old` the reverse (UINT32_MAX: gone). The kept rows keep their relative order, so each
  // order is the previous one renumbered with the new rows merged in: O(n) copies of positions
  // and O(k log n) comparisons of rows for k new rows. Ids must be unique and no sort field NaN.
  AtRiskIndex(const AtRiskIndex& previous, const AtRiskRows& rows,
              const std::vector<uint32_t>& old_of_new, const std::vector<uint32_t>& new_of_old);

  size_t size() const { return levels_.size(); }

  // Every row position in `sort` order: the field ascending or descending, ties in at-risk
  // order. Not for kScoreChange30d, which depends on the movements (MovementColumns).
  const std::vector<uint32_t>& Order(AtRiskSort sort, bool descending) const;

  scoring::RiskLevel level(uint32_t position) const {
    return static_cast<scoring::RiskLevel>(levels_[position]);
  }
  bool churned(uint32_t position) const { return churned_[position] != 0; }
  double arr(uint32_t position) const { return arr_[position]; }
  // The smallest ARR of any row (+infinity without rows): a min_arr up to it filters nothing.
  double min_arr() const { return min_arr_; }
  // The row's plan tier, lower-cased, as a small id (see TierId).
  uint32_t tier(uint32_t position) const { return tiers_[position]; }
  // The id of a plan tier compared ignoring ASCII case; nullopt when no row has that tier.
  std::optional<uint32_t> TierId(std::string_view tier) const;
  size_t tier_count() const { return tier_ids_.size(); }
  // The bytes of the columns and orders (view_set_bytes.h).
  int64_t ApproxBytes() const;

 private:
  std::vector<uint8_t> levels_;
  std::vector<uint8_t> churned_;
  std::vector<double> arr_;
  double min_arr_ = std::numeric_limits<double>::infinity();
  std::vector<uint32_t> tiers_;
  absl::flat_hash_map<std::string, uint32_t> tier_ids_;  // lower-cased tier -> id
  // [sort][descending]; kScoreChange30d empty.
  std::vector<uint32_t> orders_[kAtRiskSortCount][2];
};

// The movements of each row position of one ViewSet, and the score_change_30d orders over them.
struct MovementColumns {
  static constexpr int32_t kNoChange = INT32_MIN;
  // `movements` may be null (no history): no row then has a change or entered High.
  MovementColumns(const AtRiskRows& rows, const riskhistory::RiskMovements* movements);

  std::vector<int32_t> score_change_30d;  // kNoChange: none
  std::vector<uint8_t> entered_high;
  // Rows with a change by change (ties in at-risk order), then those without in at-risk order.
  std::vector<uint32_t> by_change[2];  // [descending]
};

}  // namespace churn::viewsets
