// A deliberate thread-safety violation, never built: the test thread_safety_analysis_refuses
// compiles it the way thread_safety_analysis compiles every project source and expects clang to
// refuse it, which proves that check bites.

#include "concurrency/mutex.h"

namespace churn::concurrency {

class UnguardedCounter {
 public:
  void Add();

 private:
  Mutex mu_;
  int count_ ABSL_GUARDED_BY(mu_) = 0;
};

void UnguardedCounter::Add() { ++count_; }  // mu_ not held

}  // namespace churn::concurrency
