#include "viewsets/view_set.h"

#include <algorithm>
#include <cmath>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_set.h"

namespace churn::viewsets {
namespace {

constexpr uint32_t kGone = UINT32_MAX;  // a previous row not in the new views
constexpr uint32_t kNew = UINT32_MAX;   // a new row without a previous position

// Below this many rows a second thread costs more than it saves.
constexpr size_t kParallelSortRows = 1 << 14;

bool RowBefore(const reports::ScoredCustomer* a, const reports::ScoredCustomer* b) {
  return scoring::AtRiskBefore(a->assessment, a->signals.arr, b->assessment, b->signals.arr);
}

// Stable, as reports::SortAtRisk is: equal rows keep their input order.
void SortRowsAtRisk(std::vector<const reports::ScoredCustomer*>& rows) {
  if (rows.size() < kParallelSortRows) {
    std::stable_sort(rows.begin(), rows.end(), RowBefore);
    return;
  }
  const auto middle = rows.begin() + static_cast<std::ptrdiff_t>(rows.size() / 2);
  std::thread first([&] { std::stable_sort(rows.begin(), middle, RowBefore); });
  std::stable_sort(middle, rows.end(), RowBefore);
  first.join();
  std::inplace_merge(rows.begin(), middle, rows.end(), RowBefore);
}

bool HasNanField(const reports::ScoredCustomer& row) {
  return std::isnan(row.signals.arr) || std::isnan(row.signals.usage_drop_pct);
}

// As reports::SummarizeExecutive over the rows (same sums in the same order), from the index's
// columns rather than the rows.
reports::ExecutiveSummary ExecutiveOf(const AtRiskIndex& index,
                                      std::optional<dataset::Day> usage_window_end,
                                      std::optional<dataset::Day> support_window_end) {
  auto share = [](int64_t part, int64_t whole) {
    return whole == 0 ? 0 : static_cast<double>(part) / static_cast<double>(whole);
  };
  reports::ExecutiveSummary summary;
  summary.usage_window_end = usage_window_end;
  summary.support_window_end = support_window_end;
  summary.customers = static_cast<int64_t>(index.size());
  for (uint32_t i = 0; i < index.size(); ++i) {
    const double arr = index.arr(i);
    summary.total_arr += arr;
    if (index.churned(i)) ++summary.churned_customers;
    switch (index.level(i)) {
      case scoring::RiskLevel::kHigh:
        ++summary.high_risk_count;
        summary.arr_at_risk_high += arr;
        break;
      case scoring::RiskLevel::kMedium:
        ++summary.medium_risk_count;
        summary.arr_at_risk_medium += arr;
        break;
      case scoring::RiskLevel::kLow: ++summary.low_risk_count; break;
    }
  }
  summary.churn_rate = share(summary.churned_customers, summary.customers);
  summary.high_risk_share = share(summary.high_risk_count, summary.customers);
  summary.average_arr = summary.customers == 0 ? 0 : summary.total_arr / summary.customers;
  return summary;
}

}  // namespace

void ViewSet::IndexFromScratch(ViewSetInputs& inputs) {
  customer_index_ = CustomerIndex(at_risk_);
  at_risk_index_ = std::make_shared<const AtRiskIndex>(at_risk_);
  tallies_ = RiskTallies::Of(at_risk_);
  for (const reports::ScoredCustomer& row : at_risk_) {
    if (HasNanField(row)) has_nan_field_ = true;
  }
  Finish(inputs);
}

std::shared_ptr<const ViewSet> ViewSet::Build(ViewSetInputs inputs) {
  // make_shared cannot reach the private constructor.
  std::shared_ptr<ViewSet> views(new ViewSet());
  // Sorted in place: the rows then sit in memory in the order they are read.
  reports::SortAtRisk(&inputs.customers);
  auto storage =
      std::make_shared<const std::vector<reports::ScoredCustomer>>(std::move(inputs.customers));
  std::vector<const reports::ScoredCustomer*> rows;
  rows.reserve(storage->size());
  for (const reports::ScoredCustomer& row : *storage) rows.push_back(&row);
  views->stored_rows_ = storage->size();
  views->storage_.push_back(std::move(storage));
  views->at_risk_ = AtRiskRows(std::move(rows));
  views->IndexFromScratch(inputs);
  return views;
}

std::shared_ptr<const ViewSet> ViewSet::Update(const ViewSet& previous,
                                               const std::vector<uint32_t>& kept,
                                               ViewSetInputs inputs) {
  std::shared_ptr<ViewSet> views(new ViewSet());
  const size_t n = kept.size() + inputs.customers.size();
  const size_t removed = previous.at_risk_.size() - std::min(previous.at_risk_.size(), kept.size());
  auto added =
      std::make_shared<const std::vector<reports::ScoredCustomer>>(std::move(inputs.customers));

  // new_of_old: each previous row's new position (kGone when not kept); a kept position twice,
  // a repeated id or a NaN sort field leaves only a fresh sort (its order is the input order).
  std::vector<uint32_t> new_of_old(previous.at_risk_.size(), kGone);
  bool incremental = previous.unique_ids() && !previous.has_nan_field_ &&
                     static_cast<double>(added->size() + removed) <=
                         kIncrementalShare * static_cast<double>(std::max<size_t>(n, 1));
  for (size_t i = 0; incremental && i < kept.size(); ++i) {
    if (kept[i] >= new_of_old.size() || new_of_old[kept[i]] != kGone)
      incremental = false;
    else
      new_of_old[kept[i]] = 0;  // kept; its position comes below
  }
  // Each added row with the slot its id had in the previous views' customer index (a replaced
  // row keeps it).
  std::vector<std::pair<const reports::ScoredCustomer*, uint32_t>> fresh;
  if (incremental) {
    absl::flat_hash_set<std::string_view, dataset::IdHash> added_ids;
    fresh.reserve(added->size());
    for (const reports::ScoredCustomer& row : *added) {
      const uint32_t slot =
          previous.customer_index_.FindSlot(row.signals.customer_id, previous.at_risk_);
      const uint32_t at = previous.customer_index_.Position(slot);
      if ((at != CustomerIndex::kNone && new_of_old[at] != kGone) ||
          !added_ids.insert(row.signals.customer_id).second || HasNanField(row)) {
        incremental = false;
        break;
      }
      fresh.emplace_back(&row, slot);
    }
  }

  // The storage: the previous views' when any of their rows stays, and the added rows.
  if (!kept.empty()) {
    views->storage_ = previous.storage_;
    views->stored_rows_ = previous.stored_rows_;
  }
  views->stored_rows_ += added->size();

  std::vector<const reports::ScoredCustomer*> rows;
  rows.reserve(n);
  if (!incremental) {
    for (uint32_t position : kept) rows.push_back(&previous.at_risk_[position]);
    for (const reports::ScoredCustomer& row : *added) rows.push_back(&row);
    views->storage_.push_back(std::move(added));
    SortRowsAtRisk(rows);
    views->at_risk_ = AtRiskRows(std::move(rows));
    views->CompactIfSparse();
    views->IndexFromScratch(inputs);
    return views;
  }

  // The kept rows stay in their previous order; the added ones, sorted, are merged in.
  std::sort(fresh.begin(), fresh.end(), [](const auto& a, const auto& b) {
    return RowBefore(a.first, b.first);  // ids unique: a total order
  });
  std::vector<uint32_t> old_of_new;
  old_of_new.reserve(n);
  const std::vector<const reports::ScoredCustomer*>& old_rows = previous.at_risk_.pointers();
  // Each added row's place among all the previous rows (the removed ones are in order too), by
  // binary search: the pass below then reads no row.
  std::vector<size_t> fresh_at(fresh.size());
  for (size_t j = 0; j < fresh.size(); ++j) {
    fresh_at[j] = static_cast<size_t>(
        std::lower_bound(old_rows.begin(), old_rows.end(), fresh[j].first, RowBefore) -
        old_rows.begin());
  }
  std::vector<CustomerIndex::AddedRow> placed;
  placed.reserve(fresh.size());
  size_t next_fresh = 0;
  auto place_fresh = [&] {
    placed.push_back({static_cast<uint32_t>(rows.size()), fresh[next_fresh].second});
    rows.push_back(fresh[next_fresh++].first);
    old_of_new.push_back(kNew);
  };
  for (uint32_t old = 0; old < old_rows.size(); ++old) {
    while (next_fresh < fresh.size() && fresh_at[next_fresh] <= old) place_fresh();
    if (new_of_old[old] == kGone) continue;
    new_of_old[old] = static_cast<uint32_t>(rows.size());
    rows.push_back(old_rows[old]);
    old_of_new.push_back(old);
  }
  while (next_fresh < fresh.size()) place_fresh();
  views->storage_.push_back(std::move(added));
  views->at_risk_ = AtRiskRows(std::move(rows));
  views->customer_index_ =
      CustomerIndex::Updated(previous.customer_index_, views->at_risk_, new_of_old, placed);
  // Nothing added or gone: every row at its previous position, the same index.
  views->at_risk_index_ =
      fresh.empty() && removed == 0
          ? previous.at_risk_index_
          : std::make_shared<const AtRiskIndex>(*previous.at_risk_index_, views->at_risk_,
                                                old_of_new, new_of_old);
  views->tallies_ = previous.tallies_;
  for (uint32_t old = 0; old < old_rows.size(); ++old) {
    if (new_of_old[old] == kGone) views->tallies_.Count(*old_rows[old], -1);
  }
  for (const auto& [row, slot] : fresh) views->tallies_.Count(*row, +1);
  views->built_incrementally_ = true;
  // Compacting only moves rows: the positions, orders and tallies stay right.
  views->CompactIfSparse();
  views->Finish(inputs);
  return views;
}

void ViewSet::CompactIfSparse() {
  // Up to a 64th of the rows (and a few thousand) unused before copying: the copy's cost, a
  // full copy of the rows, then comes once per n/64 changed rows.
  const size_t used = at_risk_.size();
  if (stored_rows_ - used <= used / 64 + 4096) return;
  auto storage = std::make_shared<std::vector<reports::ScoredCustomer>>();
  storage->reserve(used);
  for (const reports::ScoredCustomer& row : at_risk_) storage->push_back(row);
  std::vector<const reports::ScoredCustomer*> rows;
  rows.reserve(used);
  for (const reports::ScoredCustomer& row : *storage) rows.push_back(&row);
  at_risk_ = AtRiskRows(std::move(rows));
  storage_.clear();
  storage_.push_back(std::move(storage));
  stored_rows_ = used;
}

void ViewSet::Finish(ViewSetInputs& inputs) {
  executive_ = ExecutiveOf(*at_risk_index_, inputs.usage_window_end, inputs.support_window_end);
  drivers_ = tallies_.Drivers(inputs.churn_reason_counts, inputs.rule_labels);
  for (SegmentKind kind : kAllSegmentKinds) {
    segments_[static_cast<int>(kind)] =
        kind == SegmentKind::kPlanTier ? drivers_.by_plan_tier : tallies_.Segments(kind);
  }
  snapshot_version_ = inputs.snapshot_version;
  snapshot_instance_ = std::move(inputs.snapshot_instance);
  built_at_ = inputs.built_at;
  rules_sha256_ = std::move(inputs.rules_sha256);
}

const std::vector<reports::SegmentRisk>& ViewSet::segments(SegmentKind kind) const {
  return segments_[static_cast<int>(kind)];
}

const reports::ScoredCustomer* ViewSet::FindCustomer(std::string_view customer_id) const {
  std::optional<uint32_t> at = customer_index_.Find(customer_id, at_risk_);
  return at ? &at_risk_[*at] : nullptr;
}

std::optional<uint32_t> ViewSet::FindPosition(std::string_view customer_id) const {
  return customer_index_.Find(customer_id, at_risk_);
}

int64_t ViewSet::row_storage_bytes() const {
  int64_t bytes = at_risk_.pointer_bytes();
  for (const RowStorage& storage : storage_) {
    bytes += static_cast<int64_t>(storage->capacity() * sizeof(reports::ScoredCustomer));
  }
  return bytes;
}

}  // namespace churn::viewsets
