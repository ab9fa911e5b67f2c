#pragma once
// The gateway's plain-HTTP server: cpp-httplib's routing and request handling on the connection
// waiting room's fixed set of threads. A connection takes a thread only while a complete request
// is served, and the thread whose wait the request's head completed serves it (no handoff).
// Idle connections (thousands of them) and slowloris clients then cost a socket each, never a
// thread, and the views and probes keep answering.

#include <chrono>
#include <string>

#include <httplib.h>

#include "absl/status/status.h"
#include "connection_waiting_room.h"

namespace churn::gateway {

class WaitingRoomServer : public httplib::Server {
 public:
  // `options.threads`: the threads serving requests.
  explicit WaitingRoomServer(WaitingRoomOptions options);

  // Before listening.
  absl::Status StartWaitingRoom() { return room_.Start(); }
  // After stop(): closes the waiting connections and waits for the requests being served.
  void StopWaitingRoom() { room_.Stop(); }

 private:
  // A connection fresh from the listener: it waits for its request head in the room.
  bool process_and_close_socket(socket_t sock) override;
  // On a room thread: serves the request whose head has arrived (and any complete one pipelined
  // behind it), then parks the connection again.
  void Serve(int socket, std::string received);

  ConnectionWaitingRoom room_;
};

}  // namespace churn::gateway
