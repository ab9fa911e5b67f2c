#pragma once
// The gateway's current views as one immutable object: built once from a scored snapshot, then
// only read (by many threads at once) until a newer ViewSet replaces it. Everything a request
// needs (at-risk order, executive and drivers figures, per-segment counts, the customer index)
// is computed here, so serving a request never re-sorts or re-aggregates.
//
// The rows live in immutable storage shared between view sets: Update builds the views of a
// refresh where a few customers changed from the previous views, sharing their unchanged rows
// and merging the changed ones into the previous orders and tallies (O(n) copies of positions,
// no row copies, no sorting of the unchanged), with the result Build would give.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "viewsets/at_risk_index.h"
#include "viewsets/customer_index.h"
#include "viewsets/at_risk_rows.h"
#include "viewsets/at_risk_query_cache.h"
#include "viewsets/risk_tallies.h"
#include "viewsets/segments.h"
#include "dataset/dataset.h"
#include "dataset/value_parsers.h"
#include "reports/scored_customer.h"
#include "reports/summary.h"

namespace churn::viewsets {

struct ViewSetInputs {
  std::vector<reports::ScoredCustomer> customers;  // any order: Build sorts them
  std::optional<dataset::Day> usage_window_end;
  std::optional<dataset::Day> support_window_end;
  std::map<std::string, int64_t> churn_reason_counts;  // reason_code -> churn events
  int64_t snapshot_version = 0;                        // of the ingest snapshot scored
  std::string snapshot_instance;                       // the ingest process that published it
  absl::Time built_at = absl::UnixEpoch();
  std::string rules_sha256;  // the rules the customers were scored with
  std::map<std::string, std::string> rule_labels;  // of those rules: rule id -> Drivers label
};

class ViewSet {
 public:
  static std::shared_ptr<const ViewSet> Build(ViewSetInputs inputs);
  // The views Build would give for the rows of `previous` at positions `kept` (of its at_risk(),
  // in that order) followed by inputs.customers, sharing the kept rows with `previous`. When
  // more than kIncrementalShare of the rows changed, or ids repeat, the orders are sorted afresh
  // (still without copying rows); otherwise they are merged from `previous`'s.
  static std::shared_ptr<const ViewSet> Update(const ViewSet& previous,
                                               const std::vector<uint32_t>& kept,
                                               ViewSetInputs inputs);
  // The largest share of changed (added plus removed) rows merged into the previous views.
  static constexpr double kIncrementalShare = 0.1;

  // Every customer in at-risk order (risk_score desc, arr desc, customer_id asc).
  const AtRiskRows& at_risk() const { return at_risk_; }
  // The at-risk list's ready sort orders and filter columns (at_risk_index.h).
  const AtRiskIndex& at_risk_index() const { return *at_risk_index_; }
  // What at-risk queries over these views remember (at_risk_query_cache.h).
  AtRiskQueryCache& at_risk_query_cache() const { return at_risk_query_cache_; }
  const reports::ExecutiveSummary& executive() const { return executive_; }
  const reports::DriversSummary& drivers() const { return drivers_; }
  const std::vector<reports::SegmentRisk>& segments(SegmentKind kind) const;

  // Null when the id is unknown. A duplicated id resolves to its first row in at-risk order.
  const reports::ScoredCustomer* FindCustomer(std::string_view customer_id) const;
  // FindCustomer's row as a position in at_risk().
  std::optional<uint32_t> FindPosition(std::string_view customer_id) const;
  // Whether the last Build/Update merged into the previous views (rather than sorting afresh).
  bool built_incrementally() const { return built_incrementally_; }

  int64_t snapshot_version() const { return snapshot_version_; }
  const std::string& snapshot_instance() const { return snapshot_instance_; }
  // Whether these views were built from that snapshot (same ingest process, same version).
  bool BuiltFrom(std::string_view instance, int64_t version) const {
    return snapshot_instance_ == instance && snapshot_version_ == version;
  }
  absl::Time built_at() const { return built_at_; }
  // The customer index's own bytes (the ids are the rows'): see view_set_bytes.h.
  int64_t customer_index_bytes() const { return customer_index_.bytes(); }
  // Whether no customer id is repeated (FindCustomer then finds every row).
  bool unique_ids() const { return customer_index_.unique(); }
  // The row storage's own bytes (rows no longer in at_risk() included) and the row pointers'.
  int64_t row_storage_bytes() const;
  const std::string& rules_sha256() const { return rules_sha256_; }
  std::optional<dataset::Day> usage_window_end() const { return executive_.usage_window_end; }
  std::optional<dataset::Day> support_window_end() const { return executive_.support_window_end; }

 private:
  using RowStorage = std::shared_ptr<const std::vector<reports::ScoredCustomer>>;
  ViewSet() = default;
  // The rest of the views from at_risk_ (in at-risk order) and at_risk_index_.
  void Finish(ViewSetInputs& inputs);
  // The index, tallies and NaN flag of at_risk_ computed afresh, then Finish.
  void IndexFromScratch(ViewSetInputs& inputs);
  // Copies every row into one new storage when too many stored rows are no longer used.
  void CompactIfSparse();

  // What the rows point into; rows of earlier views no longer used stay until compacted.
  std::vector<RowStorage> storage_;
  size_t stored_rows_ = 0;
  AtRiskRows at_risk_;
  RiskTallies tallies_;
  // A NaN ARR or usage drop: the orders of those fields are then only sorted afresh.
  bool has_nan_field_ = false;
  bool built_incrementally_ = false;
  // Shared with the previous views when Update added and removed nothing (a refresh of
  // unchanged data): its orders and columns are then the same, and a second copy (~60 MB at a
  // million rows) was that refresh's peak memory beside the views.
  std::shared_ptr<const AtRiskIndex> at_risk_index_ = std::make_shared<const AtRiskIndex>();
  mutable AtRiskQueryCache at_risk_query_cache_;
  reports::ExecutiveSummary executive_;
  reports::DriversSummary drivers_;
  std::vector<reports::SegmentRisk> segments_[3];  // indexed by SegmentKind
  // Row positions by customer id, patched by Update (customer_index.h).
  CustomerIndex customer_index_;
  std::string snapshot_instance_;
  int64_t snapshot_version_ = 0;
  absl::Time built_at_;
  std::string rules_sha256_;
};

}  // namespace churn::viewsets
