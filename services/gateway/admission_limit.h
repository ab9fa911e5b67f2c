#pragma once
// Slow work on the HTTP port (ticket analyses, batch streams, refreshes) is admitted up to a
// limit; beyond it the caller gets 429 at once. The HTTP threads the limit leaves over always
// serve the views, /healthz, /readyz and /metrics, however slow the model is.

#include <atomic>
#include <memory>

namespace churn::gateway {

class AdmissionLimit {
 public:
  explicit AdmissionLimit(int limit) : limit_(limit) {}

  // An admission, held until its last copy is gone (a streamed response keeps it until the
  // stream ends); null when `limit` admissions are held already.
  std::shared_ptr<void> TryAdmit();

  int limit() const { return limit_; }
  int in_use() const { return in_use_.load(); }

 private:
  const int limit_;
  std::atomic<int> in_use_{0};
};

}  // namespace churn::gateway
