#include "concurrency/bounded_executor.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace churn::concurrency {

BoundedExecutor::BoundedExecutor(ExecutorOptions options) : options_(std::move(options)) {
  const int threads = std::max(1, options_.threads);
  workers_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkLoop(); });
}

BoundedExecutor::~BoundedExecutor() { Shutdown(Clock::time_point::max()); }

absl::Status BoundedExecutor::Submit(Task task) {
  {
    MutexLock lock(mu_);
    if (stopping_) {
      return absl::UnavailableError(absl::StrCat(options_.name, ": shutting down"));
    }
    if (static_cast<int>(queue_.size()) >= std::max(0, options_.max_queue) &&
        busy_ + static_cast<int>(queue_.size()) >= threads()) {
      return absl::ResourceExhaustedError(absl::StrCat(options_.name, ": all ", threads(),
                                                       " threads busy and ", queue_.size(),
                                                       " tasks waiting; try again later"));
    }
    queue_.push_back(std::move(task));
  }
  work_cv_.NotifyOne();
  return absl::OkStatus();
}

bool BoundedExecutor::TryRunNow(Task task) {
  {
    MutexLock lock(mu_);
    // Idle threads outnumber the waiting tasks, so one of them takes this task without waiting
    // for any running task to end.
    if (stopping_ || threads() - busy_ <= static_cast<int>(queue_.size())) return false;
    queue_.push_front(std::move(task));
  }
  work_cv_.NotifyOne();
  return true;
}

void BoundedExecutor::WorkLoop() {
  MutexLock lock(mu_);
  while (true) {
    work_cv_.Wait(
        mu_, [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and every accepted task has been taken
    Task task = std::move(queue_.front());
    queue_.pop_front();
    ++busy_;
    lock.Unlock();
    std::move(task)();
    task = nullptr;  // whatever the task holds goes before it counts as done
    lock.Lock();
    --busy_;
    if (busy_ == 0 && queue_.empty()) idle_cv_.NotifyAll();
  }
}

bool BoundedExecutor::Shutdown(Clock::time_point deadline) {
  MutexLock lock(mu_);
  stopping_ = true;
  work_cv_.NotifyAll();
  const auto all_done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return busy_ == 0 && queue_.empty();
  };
  const bool done = deadline == Clock::time_point::max()
                        ? (idle_cv_.Wait(mu_, all_done), true)
                        : idle_cv_.WaitUntil(mu_, deadline, all_done);
  lock.Unlock();
  if (!done) return false;
  std::call_once(join_once_, [this] {
    for (std::thread& worker : workers_) worker.join();
  });
  return true;
}

int BoundedExecutor::busy() const {
  MutexLock lock(mu_);
  return busy_;
}

int BoundedExecutor::queued() const {
  MutexLock lock(mu_);
  return static_cast<int>(queue_.size());
}

}  // namespace churn::concurrency
