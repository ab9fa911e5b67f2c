#include "enrichment/model_slots.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace churn::enrichment {

ModelSlots::ModelSlots(int slots, int max_waiting, EnrichmentObserver* observer)
    : max_waiting_(std::max(0, max_waiting)), observer_(observer), free_(std::max(1, slots)) {}

absl::StatusOr<ModelSlots::Lease> ModelSlots::Acquire(Clock::time_point deadline,
                                                      std::stop_token stop) {
  concurrency::MutexLock lock(mu_);
  if (free_ > 0 && waiters_.empty()) {
    --free_;
    return Lease(this);
  }
  if (static_cast<int>(waiters_.size()) >= max_waiting_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("enrichment queue full (", max_waiting_, " tickets waiting for the model)"));
  }
  Waiter waiter;
  waiters_.push_back(&waiter);
  if (observer_ != nullptr) observer_->OnQueueDepthChanged(+1);
  const bool granted = granted_cv_.WaitUntil(
      mu_, stop, deadline,
      [&waiter]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return waiter.granted; });
  if (!granted) waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &waiter));
  if (observer_ != nullptr) observer_->OnQueueDepthChanged(-1);
  if (granted) return Lease(this);
  if (stop.stop_requested()) return absl::CancelledError("cancelled while waiting for the model");
  return absl::DeadlineExceededError("deadline passed while waiting for the model");
}

void ModelSlots::Release() {
  {
    concurrency::MutexLock lock(mu_);
    if (waiters_.empty()) {
      ++free_;
      return;
    }
    // Handed straight to the oldest waiter, so a newcomer cannot overtake it.
    waiters_.front()->granted = true;
    waiters_.pop_front();
  }
  granted_cv_.NotifyAll();
}

int ModelSlots::waiting() const {
  concurrency::MutexLock lock(mu_);
  return static_cast<int>(waiters_.size());
}

}  // namespace churn::enrichment
