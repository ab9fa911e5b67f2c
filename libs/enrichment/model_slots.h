#pragma once
// The bound on concurrent model calls. Ollama runs OLLAMA_NUM_PARALLEL (default 1) requests per
// model and queues the rest, where our deadlines would tick away unseen; so requests wait here
// instead, first come first served, at most `max_waiting` of them, each until its own deadline.

#include <chrono>
#include <deque>
#include <stop_token>

#include "absl/status/statusor.h"
#include "concurrency/mutex.h"
#include "enrichment/enrichment_observer.h"

namespace churn::enrichment {

class ModelSlots {
 public:
  using Clock = std::chrono::steady_clock;

  // Holds one slot until destroyed.
  class Lease {
   public:
    explicit Lease(ModelSlots* slots) : slots_(slots) {}
    Lease(Lease&& other) noexcept : slots_(other.slots_) { other.slots_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease() {
      if (slots_ != nullptr) slots_->Release();
    }

   private:
    ModelSlots* slots_;
  };

  // `observer` (may be null) hears the queue depth.
  ModelSlots(int slots, int max_waiting, EnrichmentObserver* observer);

  // A slot, or: RESOURCE_EXHAUSTED at once when max_waiting requests already wait,
  // DEADLINE_EXCEEDED when the deadline passes while waiting, CANCELLED on `stop`.
  absl::StatusOr<Lease> Acquire(Clock::time_point deadline, std::stop_token stop)
      ABSL_LOCKS_EXCLUDED(mu_);

  int waiting() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Waiter {
    bool granted = false;
  };
  void Release() ABSL_LOCKS_EXCLUDED(mu_);

  const int max_waiting_;
  EnrichmentObserver* const observer_;
  mutable concurrency::Mutex mu_;
  concurrency::CondVar granted_cv_;
  int free_ ABSL_GUARDED_BY(mu_);
  std::deque<Waiter*> waiters_ ABSL_GUARDED_BY(mu_);  // oldest first
};

}  // namespace churn::enrichment
