#pragma once
// The at-risk query's memory of one ViewSet: the matched rows (in order) of the last few distinct
// queries, so the next page of the same filters and sort costs only that page, and the risk
// movements laid out by row for the latest movements generation. Bounded: at most kEntries
// query results (each at most one position per row) and one set of movement columns.
// Thread-safe; the results are immutable once stored.

#include <cstdint>
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

  // Null when `key` is not held; a hit becomes the most recently used.
  std::shared_ptr<const Positions> Find(const std::string& key);
  // Stores `positions` under `key`, dropping the least recently used entry when full.
  void Insert(const std::string& key, std::shared_ptr<const Positions> positions);

  // Null unless columns of exactly this movements generation are held.
  std::shared_ptr<const MovementColumns> Movements(int64_t generation);
  void SetMovements(int64_t generation, std::shared_ptr<const MovementColumns> columns);

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const Positions> positions;
  };
  concurrency::Mutex mu_;
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);  // most recently used last
  int64_t movements_generation_ ABSL_GUARDED_BY(mu_) = 0;
  std::shared_ptr<const MovementColumns> movements_ ABSL_GUARDED_BY(mu_);
};

}  // namespace churn::viewsets
