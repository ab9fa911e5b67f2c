#pragma once
// Blocking work started by an RPC (a refresh, a ticket-set batch) runs on its own thread, so no
// gRPC callback thread ever waits on a neighbour. Shutdown waits for that work to end (the
// outgoing calls carry the incoming cancellation, so it ends soon after the RPCs are cancelled).

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace churn::gateway {

class BackgroundWork {
 public:
  BackgroundWork() = default;
  ~BackgroundWork() { WaitIdle(); }
  BackgroundWork(const BackgroundWork&) = delete;
  BackgroundWork& operator=(const BackgroundWork&) = delete;

  void Run(std::function<void()> work) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++running_;
    }
    std::thread([this, work = std::move(work)] {
      work();
      // Notified under the lock: once WaitIdle can return, this thread no longer touches `this`.
      std::lock_guard<std::mutex> lock(mu_);
      if (--running_ == 0) idle_.notify_all();
    }).detach();
  }

  void WaitIdle() {
    std::unique_lock<std::mutex> lock(mu_);
    idle_.wait(lock, [this] { return running_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable idle_;
  int running_ = 0;  // guarded by mu_
};

}  // namespace churn::gateway
