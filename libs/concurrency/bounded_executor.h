#pragma once
// BoundedExecutor: a fixed set of worker threads and a bounded queue. Blocking work a service
// starts on behalf of a request (an RPC that waits on a neighbour or on the model, a data load)
// runs here instead of on a thread of its own, so the thread count stays what was configured
// whatever the load: work beyond the queue is refused at once, never waits on the caller's
// thread.
//
//   BoundedExecutor work({.name = "gateway-work", .threads = 8, .max_queue = 64});
//   if (absl::Status s = work.Submit([...] { ... }); !s.ok()) reactor->Finish(...);
//   ...
//   work.Shutdown(deadline);  // refuses new work, lets queued and running work finish

#include <chrono>
#include <deque>
#include <mutex>  // std::once_flag
#include <string>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "concurrency/mutex.h"

namespace churn::concurrency {

struct ExecutorOptions {
  std::string name;    // in errors ("gateway-work")
  int threads = 4;     // started up front; at least 1
  int max_queue = 64;  // tasks that may wait for a thread; 0 = none wait
};

class BoundedExecutor {
 public:
  using Task = absl::AnyInvocable<void() &&>;
  using Clock = std::chrono::steady_clock;

  // Starts the threads (threads < 1 counts as 1, max_queue < 0 as 0).
  explicit BoundedExecutor(ExecutorOptions options);
  // Shutdown() with no deadline: every accepted task runs.
  ~BoundedExecutor();
  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;

  // Queues `task`. RESOURCE_EXHAUSTED when max_queue tasks already wait, UNAVAILABLE once
  // Shutdown() has begun; the task is then dropped unrun.
  absl::Status Submit(Task task) ABSL_LOCKS_EXCLUDED(mu_);

  // Runs `task` only when a thread is free for it now; false (task dropped) otherwise. For
  // optional helpers of work that is already running and waits for them: queued behind other
  // such work, a helper could wait for threads that all wait for their own helpers.
  bool TryRunNow(Task task) ABSL_LOCKS_EXCLUDED(mu_);

  // Refuses new tasks and waits until every accepted one has run, or until `deadline`. True
  // when all have; the threads are joined then. Otherwise the rest still run, and the destructor
  // waits for them. Tasks that must end sooner need their own cancellation. Not from a task.
  bool Shutdown(Clock::time_point deadline) ABSL_LOCKS_EXCLUDED(mu_);

  int threads() const { return static_cast<int>(workers_.size()); }
  int busy() const ABSL_LOCKS_EXCLUDED(mu_);    // tasks running now
  int queued() const ABSL_LOCKS_EXCLUDED(mu_);  // tasks waiting for a thread

 private:
  void WorkLoop() ABSL_LOCKS_EXCLUDED(mu_);

  const ExecutorOptions options_;
  mutable Mutex mu_;
  CondVar work_cv_;  // a task was queued, or shutdown began
  CondVar idle_cv_;  // the last task ended
  std::deque<Task> queue_ ABSL_GUARDED_BY(mu_);
  int busy_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
  std::once_flag join_once_;
};

}  // namespace churn::concurrency
