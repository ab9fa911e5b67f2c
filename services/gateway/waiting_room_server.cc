#include "waiting_room_server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <utility>

#include "buffered_socket_stream.h"

namespace churn::gateway {
namespace {

void CloseSocket(int socket) {
  ::shutdown(socket, SHUT_RDWR);
  ::close(socket);
}

}  // namespace

WaitingRoomServer::WaitingRoomServer(int threads, WaitingRoomOptions options)
    : room_(options, [this](int socket, std::string received) {
        httplib::TaskQueue* workers = workers_.load();
        if (workers == nullptr) return CloseSocket(socket);
        workers->enqueue([this, socket, received = std::move(received)]() mutable {
          Serve(socket, std::move(received));
        });
      }) {
  new_task_queue = [this, threads] {
    auto* pool = new httplib::ThreadPool(static_cast<size_t>(threads));
    workers_ = pool;
    return pool;
  };
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
  BufferedSocketStream stream(socket, std::move(received), read_timeout, write_timeout);
  bool connection_closed = false;
  const bool served =
      process_request(stream, /*close_connection=*/false, connection_closed, nullptr);
  if (!served || connection_closed || !is_running()) return CloseSocket(socket);
  room_.Park(socket, stream.TakeUnread());
}

}  // namespace churn::gateway
