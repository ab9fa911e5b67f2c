#pragma once
// Holds the current ViewSet and how trustworthy it is. Readers take a shared_ptr once per
// request (a copy under a short lock) and keep a consistent view even while a refresh swaps in a
// new one.
// Refresh attempts report here, so every response can say how stale its data is.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "concurrency/mutex.h"
#include "viewsets/view_set.h"

namespace churn::viewsets {

struct Freshness {
  int64_t snapshot_version = 0;        // 0: no views yet
  std::optional<absl::Time> built_at;  // of the views
  // No views yet, the last refresh attempt failed, or nothing confirmed the views current for
  // longer than the allowed age.
  bool stale = true;
  int64_t stale_seconds = 0;  // when stale: seconds since the views were last confirmed current
  std::string last_error;     // of the last failed attempt, when it came after the last success
  std::optional<absl::Time> last_error_at;
  std::optional<absl::Time> last_success_at;  // views built, or checked against the source
};

class ViewStore {
 public:
  // `max_age`: views not confirmed current for longer are stale even without an error.
  explicit ViewStore(absl::Duration max_age = absl::InfiniteDuration());
  ViewStore(const ViewStore&) = delete;
  ViewStore& operator=(const ViewStore&) = delete;

  // Null until the first Publish.
  std::shared_ptr<const ViewSet> Current() const;

  // Swaps `views` in and records a successful refresh at `now`.
  void Publish(std::shared_ptr<const ViewSet> views, absl::Time now);
  // A refresh attempt found the views current (same snapshot, same rules).
  void RecordSuccess(absl::Time now);
  // A refresh attempt failed; the views stay as they are.
  void RecordFailure(const absl::Status& error, absl::Time now);

  // The freshness of `views` (normally what Current() returned to the same request).
  Freshness FreshnessOf(const ViewSet* views, absl::Time now) const;
  // Seconds since the views were last confirmed current; 0 without views.
  double SecondsSinceConfirmed(absl::Time now) const;

 private:
  const absl::Duration max_age_;
  // A mutex, not std::atomic<std::shared_ptr>: GCC 12's load() releases its internal lock with a
  // relaxed store, so a reader's copy races with the next Publish (ThreadSanitizer reports it).
  mutable concurrency::Mutex current_mu_;
  std::shared_ptr<const ViewSet> current_ ABSL_GUARDED_BY(current_mu_);

  mutable concurrency::Mutex mu_;
  std::optional<absl::Time> last_success_at_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Time> last_error_at_ ABSL_GUARDED_BY(mu_);
  std::string last_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace churn::viewsets
