#include "viewsets/view_store.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace churn::viewsets {

ViewStore::ViewStore(absl::Duration max_age) : max_age_(max_age) {}

std::shared_ptr<const ViewSet> ViewStore::Current() const {
  concurrency::MutexLock lock(current_mu_);
  return current_;
}

void ViewStore::Publish(std::shared_ptr<const ViewSet> views, absl::Time now) {
  std::shared_ptr<const ViewSet> replaced;
  {
    concurrency::MutexLock lock(current_mu_);
    replaced = std::exchange(current_, std::move(views));
  }
  // The old set, possibly the last reference, is freed outside the lock.
  RecordSuccess(now);
}

void ViewStore::RecordSuccess(absl::Time now) {
  concurrency::MutexLock lock(mu_);
  last_success_at_ = now;
}

void ViewStore::RecordFailure(const absl::Status& error, absl::Time now) {
  concurrency::MutexLock lock(mu_);
  last_error_at_ = now;
  last_error_ = error.ToString();
}

double ViewStore::SecondsSinceConfirmed(absl::Time now) const {
  if (!Current()) return 0;
  concurrency::MutexLock lock(mu_);
  if (!last_success_at_) return 0;
  return std::max(0.0, absl::ToDoubleSeconds(now - *last_success_at_));
}

Freshness ViewStore::FreshnessOf(const ViewSet* views, absl::Time now) const {
  Freshness freshness;
  concurrency::MutexLock lock(mu_);
  freshness.last_success_at = last_success_at_;
  // An error older than the last success has been repaired since: not worth showing.
  const bool failing =
      last_error_at_ && (!last_success_at_ || *last_error_at_ >= *last_success_at_);
  if (failing) {
    freshness.last_error = last_error_;
    freshness.last_error_at = last_error_at_;
  }
  if (views == nullptr) return freshness;  // stale, version 0

  freshness.snapshot_version = views->snapshot_version();
  freshness.built_at = views->built_at();
  // Views are at least as current as the moment they were built.
  absl::Time confirmed = views->built_at();
  if (last_success_at_) confirmed = std::max(confirmed, *last_success_at_);
  const absl::Duration age = std::max(absl::ZeroDuration(), now - confirmed);
  freshness.stale = failing || age > max_age_;
  if (freshness.stale) {
    freshness.stale_seconds = static_cast<int64_t>(std::floor(absl::ToDoubleSeconds(age)));
  }
  return freshness;
}

}  // namespace churn::viewsets
