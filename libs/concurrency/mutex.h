#pragma once
// Mutexes the compiler checks: clang's -Wthread-safety proves that every member declared
// ABSL_GUARDED_BY(mu_) is only touched with mu_ held. libstdc++'s std::mutex carries no capability
// attributes, so these thin wrappers add them. They stay std::mutex inside (not absl::Mutex):
// the ThreadSanitizer build links Debian's uninstrumented abseil, whose locking TSan cannot see.
//
//   concurrency::Mutex mu_;
//   concurrency::CondVar changed_;
//   int count_ ABSL_GUARDED_BY(mu_) = 0;
//   ...
//   concurrency::MutexLock lock(mu_);
//   changed_.Wait(mu_, [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return count_ > 0; });

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <utility>

#include "absl/base/thread_annotations.h"

namespace churn::concurrency {

class CondVar;

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// A Mutex whose Lock can give up at a deadline.
class ABSL_LOCKABLE TimedMutex {
 public:
  TimedMutex() = default;
  TimedMutex(const TimedMutex&) = delete;
  TimedMutex& operator=(const TimedMutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  // True when it now holds the mutex; false when `deadline` passed first.
  template <typename Clock, typename Duration>
  bool TryLockUntil(std::chrono::time_point<Clock, Duration> deadline)
      ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
    return mu_.try_lock_until(deadline);
  }

 private:
  std::timed_mutex mu_;
};

// Tag of the MutexLock constructor that takes over a mutex the caller already holds.
struct AdoptLock {};
inline constexpr AdoptLock kAdoptLock{};

// Holds a Mutex or TimedMutex until the end of its scope. Unlock() and Lock() release and take it
// again within the scope (work done without the lock); the destructor releases it only if held.
template <typename M>
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(M& mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_.Lock(); }
  MutexLock(M& mu, AdoptLock) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) : mu_(mu) {}
  ~MutexLock() ABSL_UNLOCK_FUNCTION() {
    if (held_) mu_.Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void Unlock() ABSL_UNLOCK_FUNCTION() {
    mu_.Unlock();
    held_ = false;
  }
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    mu_.Lock();
    held_ = true;
  }

 private:
  M& mu_;
  bool held_ = true;
};

template <typename M>
MutexLock(M&) -> MutexLock<M>;
template <typename M>
MutexLock(M&, AdoptLock) -> MutexLock<M>;

// A condition variable waited on with a Mutex held: the wait releases the mutex and holds it
// again before it calls `done` and before it returns. `done` reads guarded members, so the
// lambda says so: [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { ... }. condition_variable_any,
// because some waits also end on a std::stop_token.
class CondVar {
 public:
  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }

  // Returns once `done()` is true.
  template <typename Predicate>
  void Wait(Mutex& mu, Predicate done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    cv_.wait(lock, std::move(done));
    lock.release();  // the caller's MutexLock still holds it
  }

  // Returns `done()`: false when `deadline` passed first.
  template <typename Clock, typename Duration, typename Predicate>
  bool WaitUntil(Mutex& mu, std::chrono::time_point<Clock, Duration> deadline, Predicate done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    const bool result = cv_.wait_until(lock, deadline, std::move(done));
    lock.release();
    return result;
  }

  // Returns `done()`: false when `timeout` passed first.
  template <typename Rep, typename Period, typename Predicate>
  bool WaitFor(Mutex& mu, std::chrono::duration<Rep, Period> timeout, Predicate done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    const bool result = cv_.wait_for(lock, timeout, std::move(done));
    lock.release();
    return result;
  }

  // Returns `done()`: false when `deadline` passed or `stop` was requested first.
  template <typename Clock, typename Duration, typename Predicate>
  bool WaitUntil(Mutex& mu, std::stop_token stop, std::chrono::time_point<Clock, Duration> deadline,
                 Predicate done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    const bool result = cv_.wait_until(lock, std::move(stop), deadline, std::move(done));
    lock.release();
    return result;
  }

 private:
  std::condition_variable_any cv_;
};

}  // namespace churn::concurrency
