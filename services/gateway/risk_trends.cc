#include "risk_trends.h"

#include <utility>

namespace churn::gateway {

std::shared_ptr<const riskhistory::RiskMovements> RiskTrends::Movements() const {
  concurrency::MutexLock lock(mu_);
  return movements_;
}

absl::Status RiskTrends::Reload() {
  absl::StatusOr<riskhistory::RiskMovements> read = store_->Movements();
  if (!read.ok()) return read.status();
  concurrency::MutexLock lock(mu_);
  read->generation = ++generation_;
  movements_ = std::make_shared<const riskhistory::RiskMovements>(*std::move(read));
  return absl::OkStatus();
}

}  // namespace churn::gateway
