#pragma once
// What the gateway's views read from the risk history: the movements (score change over 30
// days, entered High, level moves) held in memory and replaced after every history write, and a
// customer's trend read from the store on demand. A failing history file never fails a view:
// the movements stay as last read and a trend read reports its error to the caller.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "concurrency/mutex.h"
#include "riskhistory/history_store.h"

namespace churn::gateway {

class RiskTrends {
 public:
  explicit RiskTrends(riskhistory::RiskHistoryStore* store) : store_(store) {}

  // Never null (empty movements before the first read).
  std::shared_ptr<const riskhistory::RiskMovements> Movements() const;
  absl::StatusOr<std::vector<riskhistory::TrendPoint>> Trend(const std::string& customer_id) const {
    return store_->Trend(customer_id);
  }
  // Reads the movements from the store again, under a new generation; on error the previous
  // ones stay.
  absl::Status Reload();

 private:
  riskhistory::RiskHistoryStore* const store_;
  mutable concurrency::Mutex mu_;
  std::shared_ptr<const riskhistory::RiskMovements> movements_ ABSL_GUARDED_BY(mu_) =
      std::make_shared<const riskhistory::RiskMovements>();
  int64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace churn::gateway
