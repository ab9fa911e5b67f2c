#include "connection_waiting_room.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"

namespace churn::gateway {
namespace {

using Clock = std::chrono::steady_clock;

bool HasCompleteHead(const std::string& received) {
  return received.find("\r\n\r\n") != std::string::npos ||
         received.find("\n\n") != std::string::npos;
}

void CloseSocket(int socket) {
  ::shutdown(socket, SHUT_RDWR);
  ::close(socket);
}

}  // namespace

ConnectionWaitingRoom::ConnectionWaitingRoom(WaitingRoomOptions options, Dispatch dispatch)
    : options_(options), dispatch_(std::move(dispatch)) {}

ConnectionWaitingRoom::~ConnectionWaitingRoom() {
  Stop();
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

absl::Status ConnectionWaitingRoom::Start() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    return absl::InternalError(absl::StrCat("http connections: epoll: ", std::strerror(errno)));
  }
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.fd = wake_fd_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake);
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void ConnectionWaitingRoom::Stop() {
  {
    concurrency::MutexLock lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  if (thread_.joinable()) {
    const uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof(one));
    thread_.join();
  }
  concurrency::MutexLock lock(mu_);
  for (const auto& [socket, waiting] : connections_) CloseSocket(socket);
  connections_.clear();
}

void ConnectionWaitingRoom::Park(int socket, std::string received) {
  if (HasCompleteHead(received)) {
    {
      concurrency::MutexLock lock(mu_);
      if (stopped_) return CloseSocket(socket);
    }
    return dispatch_(socket, std::move(received));
  }
  concurrency::MutexLock lock(mu_);
  if (stopped_) return CloseSocket(socket);
  const auto timeout = received.empty() ? options_.idle_timeout : options_.head_timeout;
  connections_[socket] = {std::move(received), Clock::now() + timeout};
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP;
  event.data.fd = socket;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, socket, &event) != 0) Close(socket);
}

void ConnectionWaitingRoom::Close(int socket) {
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, socket, nullptr);
  connections_.erase(socket);
  CloseSocket(socket);
}

void ConnectionWaitingRoom::OnReadable(int socket) {
  std::string ready;
  {
    concurrency::MutexLock lock(mu_);
    auto it = connections_.find(socket);
    if (it == connections_.end()) return;
    Waiting& waiting = it->second;
    char buffer[4096];
    const ssize_t n = ::recv(socket, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      return Close(socket);  // the client went away
    }
    if (n < 0) return;
    if (waiting.received.empty()) waiting.deadline = Clock::now() + options_.head_timeout;
    waiting.received.append(buffer, static_cast<size_t>(n));
    if (!HasCompleteHead(waiting.received)) {
      if (waiting.received.size() > options_.max_head_bytes) Close(socket);
      return;
    }
    ready = std::move(waiting.received);
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, socket, nullptr);
    connections_.erase(it);
  }
  dispatch_(socket, std::move(ready));
}

void ConnectionWaitingRoom::Run() {
  std::vector<epoll_event> events(256);
  auto next_sweep = Clock::now();
  while (true) {
    const int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 200);
    {
      concurrency::MutexLock lock(mu_);
      if (stopped_) return;
    }
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd != wake_fd_) OnReadable(events[i].data.fd);
    }
    const auto now = Clock::now();
    if (now < next_sweep) continue;
    next_sweep = now + std::chrono::milliseconds(200);
    concurrency::MutexLock lock(mu_);
    std::vector<int> expired;
    for (const auto& [socket, waiting] : connections_) {
      if (waiting.deadline <= now) expired.push_back(socket);
    }
    for (int socket : expired) Close(socket);
  }
}

}  // namespace churn::gateway
