#pragma once
// HTTP connections that have no complete request head yet (new ones, idle keep-alive ones, slow
// senders) wait here, on one epoll thread, instead of each holding an HTTP worker thread: the
// workers only ever serve a request whose head has fully arrived. A connection is closed when it
// stays idle past idle_timeout, or when its head is not complete head_timeout after its first
// byte (a slowloris client), or grows past max_head_bytes.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "concurrency/mutex.h"

namespace churn::gateway {

struct WaitingRoomOptions {
  std::chrono::milliseconds idle_timeout{5000};
  std::chrono::milliseconds head_timeout{10000};
  size_t max_head_bytes = 16 << 10;
};

class ConnectionWaitingRoom {
 public:
  // Called on the waiting room's thread with a connection whose bytes so far (`received`)
  // hold a complete request head; the callee owns the socket from then on.
  using Dispatch = std::function<void(int socket, std::string received)>;

  ConnectionWaitingRoom(WaitingRoomOptions options, Dispatch dispatch);
  ~ConnectionWaitingRoom();  // Stop()
  ConnectionWaitingRoom(const ConnectionWaitingRoom&) = delete;
  ConnectionWaitingRoom& operator=(const ConnectionWaitingRoom&) = delete;

  absl::Status Start();
  // Closes every waiting connection; later Park calls close theirs at once. Idempotent.
  void Stop();

  // Takes the socket until its request head is complete. `received`: bytes already read from it
  // and not yet served (a pipelined request). Thread-safe.
  void Park(int socket, std::string received);

 private:
  struct Waiting {
    std::string received;
    std::chrono::steady_clock::time_point deadline;
  };
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  // Reads what the socket has; dispatches or closes it when that decides its fate.
  void OnReadable(int socket) ABSL_LOCKS_EXCLUDED(mu_);
  void Close(int socket) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const WaitingRoomOptions options_;
  const Dispatch dispatch_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // eventfd: Stop() wakes the thread
  std::thread thread_;
  mutable concurrency::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  std::map<int, Waiting> connections_ ABSL_GUARDED_BY(mu_);
};

}  // namespace churn::gateway
