#include "waiting_room_server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <utility>

#include "buffered_socket_stream.h"

namespace churn::gateway {
namespace {

void CloseSocket(int socket) {
  ::shutdown(socket, SHUT_RDWR);
  ::close(socket);
}

// The listener hands each accepted connection over through the task queue: parking it in the
// room is quick, so it runs right there on the listener's thread (the room's threads serve).
class ParkOnListenerThread : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override {}
};

}  // namespace

WaitingRoomServer::WaitingRoomServer(WaitingRoomOptions options)
    : room_(options,
            [this](int socket, std::string received) { Serve(socket, std::move(received)); }) {
  new_task_queue = [] { return new ParkOnListenerThread(); };
}

bool WaitingRoomServer::process_and_close_socket(socket_t sock) {
  room_.Park(sock, std::string());
  return true;
}

void WaitingRoomServer::Serve(int socket, std::string received) {
  const auto read_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::seconds(read_timeout_sec_) + std::chrono::microseconds(read_timeout_usec_));
  const auto write_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::seconds(write_timeout_sec_) + std::chrono::microseconds(write_timeout_usec_));
  while (true) {
    BufferedSocketStream stream(socket, std::move(received), read_timeout, write_timeout);
    bool connection_closed = false;
    const bool served =
        process_request(stream, /*close_connection=*/false, connection_closed, nullptr);
    const bool flushed = stream.Flush();
    if (!served || !flushed || connection_closed || !is_running()) return CloseSocket(socket);
    received = stream.TakeUnread();
    // A pipelined request already here is served now; otherwise the connection waits.
    if (!HasCompleteRequestHead(received)) return room_.Park(socket, std::move(received));
  }
}

}  // namespace churn::gateway
