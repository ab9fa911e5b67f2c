#pragma once
// HTTP connections that have no complete request head yet (new ones, idle keep-alive ones, slow
// senders) wait here, in one epoll set, instead of each holding a thread. A fixed set of threads
// waits on that set; the thread a connection's bytes wake reads them without blocking, and only
// when they complete a request head does it serve the request itself (no handoff to another
// thread), then parks the connection again. A thread is therefore never held by a connection that
// has not sent a whole head. A connection is closed when it stays idle past idle_timeout, or when
// its head is not complete head_timeout after its first byte (a slowloris client), or grows past
// max_head_bytes.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "concurrency/mutex.h"

namespace churn::gateway {

struct WaitingRoomOptions {
  std::chrono::milliseconds idle_timeout{5000};
  std::chrono::milliseconds head_timeout{10000};
  size_t max_head_bytes = 16 << 10;
  // Threads waiting on the connections, each serving the requests whose heads it completes.
  int threads = 1;
};

// True when `received` holds a whole request head (up to its blank line).
bool HasCompleteRequestHead(std::string_view received);

class ConnectionWaitingRoom {
 public:
  // Called on one of the room's threads (or in Park's caller, for a head already complete) with a
  // connection whose bytes so far (`received`) hold a complete request head; the callee owns the
  // socket from then on (serves it on this thread, then parks or closes it).
  using Dispatch = std::function<void(int socket, std::string received)>;

  ConnectionWaitingRoom(WaitingRoomOptions options, Dispatch dispatch);
  ~ConnectionWaitingRoom();  // Stop()
  ConnectionWaitingRoom(const ConnectionWaitingRoom&) = delete;
  ConnectionWaitingRoom& operator=(const ConnectionWaitingRoom&) = delete;

  absl::Status Start();
  // Closes every waiting connection and waits for the room's threads (and so for the requests
  // they serve); later Park calls close theirs at once. Idempotent. Not from a room thread.
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
  // Reads what the socket has; dispatches, waits again or closes it as that decides.
  void OnReadable(int socket) ABSL_LOCKS_EXCLUDED(mu_);
  // Keeps `socket` until its next bytes: registered in (or re-armed in) the epoll set.
  void Wait(int socket, Waiting waiting) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Closes connections past their deadline.
  void Sweep() ABSL_LOCKS_EXCLUDED(mu_);

  const WaitingRoomOptions options_;
  const Dispatch dispatch_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;   // eventfd, level-triggered: Stop() wakes every thread
  int timer_fd_ = -1;  // timerfd, one-shot: one free thread sweeps the deadlines
  std::vector<std::thread> threads_;
  mutable concurrency::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  // The waiting connections; one being read or served is not here (its thread holds it).
  absl::flat_hash_map<int, Waiting> connections_ ABSL_GUARDED_BY(mu_);
};

}  // namespace churn::gateway
