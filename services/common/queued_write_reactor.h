#pragma once
// A server stream whose messages come from a task on the executor (a batch): the task Push()es
// each message, the reactor writes them one at a time (gRPC allows one write in flight), and the
// task's final status ends the call once everything queued is written. With a bound, Push waits
// while the queue is full, so a client that reads slowly slows the batch instead of filling
// memory. A client that goes away (a failed write, a cancel) makes Push return false and drops
// what is queued; OnClientGone lets a subclass stop its batch early.
//
// Freed when both gRPC is done with it (OnDone) and its task has ended, whichever comes last: the
// task may still be returning from the call that finished the RPC.

#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>

#include "common/grpc_status.h"
#include "concurrency/bounded_executor.h"

namespace churn::service {

template <typename Response>
class QueuedWriteReactor : public grpc::ServerWriteReactor<Response> {
 public:
  // The task: pushes its messages and returns the status that ends the call.
  using Producer = std::function<grpc::Status()>;

  // `max_queued` messages wait at most (Push blocks beyond); 0 = no bound.
  explicit QueuedWriteReactor(size_t max_queued) : max_queued_(max_queued) {}

  // A stream that ends at once with `status` (a request that cannot be served).
  static QueuedWriteReactor* Rejected(grpc::Status status) {
    auto* reactor = new QueuedWriteReactor(0);
    reactor->Close(std::move(status));
    reactor->Release();
    return reactor;
  }

  // Runs `produce` on `executor`; when the executor refuses it (RESOURCE_EXHAUSTED), the call
  // ends with that error. Call once, right after construction.
  void Start(concurrency::BoundedExecutor* executor, Producer produce) {
    absl::Status queued = executor->Submit([this, produce = std::move(produce)] {
      Close(produce());
      Release();
    });
    if (!queued.ok()) {
      Close(ToGrpcStatus(queued));
      Release();
    }
  }

  // From the task: queues a message (waiting while the queue is full). False once the client is
  // gone: the message is dropped and the task may stop.
  bool Push(Response message) {
    std::unique_lock<std::mutex> lock(mu_);
    if (max_queued_ > 0) {
      space_.wait(lock, [this] { return queue_.size() < max_queued_ || client_gone_; });
    }
    if (client_gone_) return false;
    queue_.push_back(std::move(message));
    PumpLocked(lock);
    return true;
  }

  void OnWriteDone(bool ok) override {
    bool gone_now = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      writing_ = false;
      if (!ok) {
        gone_now = !client_gone_;
        client_gone_ = true;
        queue_.clear();
        space_.notify_all();
      }
      PumpLocked(lock);
    }
    if (gone_now) OnClientGone();
  }

  void OnCancel() override {
    bool gone_now = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      gone_now = !client_gone_;
      client_gone_ = true;
      space_.notify_all();
    }
    if (gone_now) OnClientGone();
  }

  void OnDone() override { Release(); }

 protected:
  virtual ~QueuedWriteReactor() = default;

  // Once, from a gRPC thread, when the client is found gone.
  virtual void OnClientGone() {}

 private:
  // The task is done: finish once the queue is written.
  void Close(grpc::Status status) {
    std::unique_lock<std::mutex> lock(mu_);
    final_status_ = std::move(status);
    PumpLocked(lock);
  }

  void Release() {
    if (references_.fetch_sub(1) == 1) delete this;
  }

  // Starts the next write, or finishes once the task is done and the queue empty. gRPC is called
  // without the lock: a reaction may run inline and take it.
  void PumpLocked(std::unique_lock<std::mutex>& lock) {
    if (writing_ || finished_) return;
    if (!queue_.empty()) {
      writing_ = true;
      in_flight_ = std::move(queue_.front());
      queue_.pop_front();
      space_.notify_all();
      lock.unlock();
      this->StartWrite(&in_flight_);
    } else if (final_status_) {
      finished_ = true;
      grpc::Status status = *final_status_;
      lock.unlock();
      this->Finish(status);
    }
  }

  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable space_;
  std::deque<Response> queue_;                // guarded by mu_
  Response in_flight_;                        // owned by gRPC while writing_
  bool writing_ = false;                      // guarded by mu_
  bool client_gone_ = false;                  // guarded by mu_
  bool finished_ = false;                     // guarded by mu_
  std::optional<grpc::Status> final_status_;  // guarded by mu_
  std::atomic<int> references_{2};            // the call (until OnDone) and the task
};

}  // namespace churn::service
