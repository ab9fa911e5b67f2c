#pragma once
// Methods a service answers through gRPC's async API: a fixed set of threads, each polling a
// completion queue of its own, shared by every method added (UnaryCompletionQueueMethod), beside
// the other services of its ServiceProcess. The process drives the lifecycle: AddTo before the
// server is built, Start once it serves, Stop after it has shut down (every call ended).
//
// Few threads on purpose: gRPC 1.51's poller hands polling to another waiting thread on every
// wake-up, and every thread waiting on any completion queue of the process takes part, so each
// more thread waiting is one more wake-up and context switch per call (one thread: about 0.4
// voluntary switches per call; two: about 1.9, bench/scoring_load/README.md).

#include <grpcpp/completion_queue.h>
#include <grpcpp/server_builder.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "concurrency/mutex.h"

namespace churn::service {

// What a completion queue hands back: the object of one pending operation.
class CompletionQueueTag {
 public:
  // On the queue's thread (or Stop's, for what is left when the server never started); `ok` as
  // gRPC's Next gives it. May delete this.
  virtual void Proceed(bool ok) = 0;

 protected:
  ~CompletionQueueTag() = default;
};

// A method served from the queues: asks gRPC for its calls, one queue at a time.
class CompletionQueueMethod {
 public:
  virtual ~CompletionQueueMethod() = default;
  // Asks gRPC for the next call of this method on `cq`, its tag a new CompletionQueueTag that,
  // once the call came, calls CompletionQueueServer::Request(queue, ...) again to renew it. Runs
  // under the queue's lock, never after the queue shut down.
  // A call requested but never answered (the server stopped first) gets Proceed(false).
  virtual void RequestCall(size_t queue, grpc::ServerCompletionQueue* cq) = 0;
};

class CompletionQueueServer {
 public:
  // `threads` >= 1; `name` names the threads ("<name> cq <i>", cut to 15 characters).
  CompletionQueueServer(std::string name, int threads);
  ~CompletionQueueServer();
  CompletionQueueServer(const CompletionQueueServer&) = delete;
  CompletionQueueServer& operator=(const CompletionQueueServer&) = delete;

  int threads() const { return threads_; }

  // Before AddTo. `method` must outlive Stop().
  void AddMethod(CompletionQueueMethod* method) { methods_.push_back(method); }

  // Adds its completion queues to the builder (before BuildAndStart).
  void AddTo(grpc::ServerBuilder& builder);
  // After the server started: requests the first calls of every method and starts the threads.
  void Start();
  // After grpc::Server::Shutdown and Wait: shuts the queues down and joins the threads.
  void Stop();

  // Renews a call of `method` on `queue` (from a tag whose call just came), unless the queue is
  // shutting down: a request on a queue that was shut down would never come back.
  void Request(CompletionQueueMethod& method, size_t queue);

 private:
  // Calls of each method each queue has asked gRPC for at any time.
  static constexpr int kRequestedPerQueue = 2;

  struct Queue {
    std::unique_ptr<grpc::ServerCompletionQueue> cq;
    concurrency::Mutex mu;  // orders a new request against the queue's shutdown
    bool shut_down ABSL_GUARDED_BY(mu) = false;
  };

  void Poll(Queue& queue);

  const std::string name_;
  const int threads_;
  std::vector<CompletionQueueMethod*> methods_;
  std::vector<std::unique_ptr<Queue>> queues_;
  std::vector<std::thread> pollers_;
};

}  // namespace churn::service
