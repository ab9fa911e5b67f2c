#pragma once
// The gateway's plain-HTTP server: cpp-httplib's routing and request handling on a fixed pool of
// worker threads, with the connection waiting room in front, so a connection takes a worker only
// while a complete request is served. Idle connections (thousands of them) and slowloris clients
// then cost a socket each, never a thread, and the views and probes keep answering.

#include <atomic>
#include <chrono>
#include <string>

#include <httplib.h>

#include "absl/status/status.h"
#include "connection_waiting_room.h"

namespace churn::gateway {

class WaitingRoomServer : public httplib::Server {
 public:
  WaitingRoomServer(int threads, WaitingRoomOptions options);

  // Before listening.
  absl::Status StartWaitingRoom() { return room_.Start(); }
  // Before stop(): closes the waiting connections.
  void StopWaitingRoom() { room_.Stop(); }

 private:
  // A connection fresh from the listener: it waits for its request head in the room.
  bool process_and_close_socket(socket_t sock) override;
  // On a worker: serves the request whose head has arrived, then parks the connection again.
  void Serve(int socket, std::string received);

  ConnectionWaitingRoom room_;
  std::atomic<httplib::TaskQueue*> workers_{nullptr};
};

}  // namespace churn::gateway
