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
#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <utility>

#include "common/grpc_status.h"
#include "absl/base/thread_annotations.h"
#include "concurrency/bounded_executor.h"
#include "concurrency/mutex.h"

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
  bool Push(Response message) ABSL_LOCKS_EXCLUDED(mu_) {
    {
      concurrency::MutexLock lock(mu_);
      if (max_queued_ > 0) {
        space_.Wait(mu_, [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return queue_.size() < max_queued_ || client_gone_;
        });
      }
      if (client_gone_) return false;
      queue_.push_back(std::move(message));
    }
    Pump();
    return true;
  }

  void OnWriteDone(bool ok) override ABSL_LOCKS_EXCLUDED(mu_) {
    bool gone_now = false;
    {
      concurrency::MutexLock lock(mu_);
      writing_ = false;
      if (!ok) {
        gone_now = !client_gone_;
        client_gone_ = true;
        queue_.clear();
        space_.NotifyAll();
      }
    }
    Pump();
    if (gone_now) OnClientGone();
  }

  void OnCancel() override ABSL_LOCKS_EXCLUDED(mu_) {
    bool gone_now = false;
    {
      concurrency::MutexLock lock(mu_);
      gone_now = !client_gone_;
      client_gone_ = true;
      space_.NotifyAll();
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
  void Close(grpc::Status status) ABSL_LOCKS_EXCLUDED(mu_) {
    {
      concurrency::MutexLock lock(mu_);
      final_status_ = std::move(status);
    }
    Pump();
  }

  void Release() {
    if (references_.fetch_sub(1) == 1) delete this;
  }

  // Starts the next write, or finishes once the task is done and the queue empty. gRPC is called
  // without the lock: a reaction may run inline and take it.
  void Pump() ABSL_LOCKS_EXCLUDED(mu_) {
    bool write = false;
    grpc::Status finish_status;
    {
      concurrency::MutexLock lock(mu_);
      if (writing_ || finished_) return;
      if (!queue_.empty()) {
        writing_ = true;
        in_flight_ = std::move(queue_.front());
        queue_.pop_front();
        space_.NotifyAll();
        write = true;
      } else if (final_status_) {
        finished_ = true;
        finish_status = *final_status_;
      } else {
        return;
      }
    }
    if (write) {
      this->StartWrite(&in_flight_);
    } else {
      this->Finish(finish_status);
    }
  }

  const size_t max_queued_;
  concurrency::Mutex mu_;
  concurrency::CondVar space_;
  std::deque<Response> queue_ ABSL_GUARDED_BY(mu_);
  Response in_flight_;  // owned by gRPC while writing_
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool client_gone_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> final_status_ ABSL_GUARDED_BY(mu_);
  std::atomic<int> references_{2};  // the call (until OnDone) and the task
};

}  // namespace churn::service
