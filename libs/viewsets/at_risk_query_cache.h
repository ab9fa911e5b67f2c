#pragma once
// The at-risk query's memory of one ViewSet: the matched rows (in order) of the last few distinct
// queries, so the next page of the same filters and sort costs only that page, and the risk
// movements laid out by row for the latest movements generation, and the views' page-token
// fingerprint (at_risk_page_token.h). Bounded: at most kEntries
// query results (each at most one position per row) and one set of movement columns.
// Thread-safe; the results are immutable once stored.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "concurrency/mutex.h"
#include "viewsets/at_risk_index.h"

namespace churn::viewsets {

class AtRiskQueryCache {
 public:
  using Positions = std::vector<uint32_t>;
  static constexpr size_t kEntries = 8;

  // The positions held under `key` (a hit becomes the most recently used), else what `build`
  // returns, stored under `key`, dropping the least recently used entry when full. One build
  // runs at a time: queries missing together wait for it rather than all scanning at once,
  // and find the result when it is theirs.
  std::shared_ptr<const Positions> FindOrBuild(
      const std::string& key, const std::function<std::shared_ptr<const Positions>()>& build);

  // The columns of this movements generation, built by `build` when not held (one build at a
  // time, as above); only the newest generation is kept.
  std::shared_ptr<const MovementColumns> MovementsOrBuild(
      int64_t generation, const std::function<std::shared_ptr<const MovementColumns>()>& build);

  // The columns of this movements generation when held, else null.
  std::shared_ptr<const MovementColumns> Movements(int64_t generation) ABSL_LOCKS_EXCLUDED(mu_);
  // Keeps `columns`, built elsewhere without the build lock, unless a newer generation is held.
  void OfferMovements(int64_t generation, std::shared_ptr<const MovementColumns> columns)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The views' page-token fingerprint: `compute`'s, remembered from the first call on.
  std::string ViewsFingerprint(const std::function<std::string()>& compute)
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  std::shared_ptr<const Positions> Find(const std::string& key) ABSL_LOCKS_EXCLUDED(mu_);
  void Insert(const std::string& key, std::shared_ptr<const Positions> positions)
      ABSL_LOCKS_EXCLUDED(mu_);

  struct Entry {
    std::string key;
    std::shared_ptr<const Positions> positions;
  };
  concurrency::Mutex build_mu_;  // held while building, never while only looking up
  concurrency::Mutex mu_ ABSL_ACQUIRED_AFTER(build_mu_);
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);  // most recently used last
  int64_t movements_generation_ ABSL_GUARDED_BY(mu_) = 0;
  std::shared_ptr<const MovementColumns> movements_ ABSL_GUARDED_BY(mu_);
  std::string views_fingerprint_ ABSL_GUARDED_BY(mu_);  // empty: not computed yet
};

}  // namespace churn::viewsets
