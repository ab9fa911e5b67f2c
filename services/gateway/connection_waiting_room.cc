#include "connection_waiting_room.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace churn::gateway {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kSweepInterval = std::chrono::milliseconds(200);

void CloseSocket(int socket) {
  ::shutdown(socket, SHUT_RDWR);
  ::close(socket);
}

}  // namespace

bool HasCompleteRequestHead(std::string_view received) {
  return received.find("\r\n\r\n") != std::string_view::npos ||
         received.find("\n\n") != std::string_view::npos;
}

ConnectionWaitingRoom::ConnectionWaitingRoom(WaitingRoomOptions options, Dispatch dispatch)
    : options_(options), dispatch_(std::move(dispatch)) {}

ConnectionWaitingRoom::~ConnectionWaitingRoom() {
  Stop();
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
  if (timer_fd_ >= 0) ::close(timer_fd_);
}

absl::Status ConnectionWaitingRoom::Start() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (epoll_fd_ < 0 || wake_fd_ < 0 || timer_fd_ < 0) {
    return absl::InternalError(absl::StrCat("http connections: epoll: ", std::strerror(errno)));
  }
  itimerspec every{};
  every.it_interval.tv_nsec = std::chrono::nanoseconds(kSweepInterval).count();
  every.it_value = every.it_interval;
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.fd = wake_fd_;
  epoll_event timer{};
  timer.events = EPOLLIN | EPOLLONESHOT;
  timer.data.fd = timer_fd_;
  if (::timerfd_settime(timer_fd_, 0, &every, nullptr) != 0 ||
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake) != 0 ||
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, timer_fd_, &timer) != 0) {
    return absl::InternalError(absl::StrCat("http connections: epoll: ", std::strerror(errno)));
  }
  for (int i = 0; i < std::max(options_.threads, 1); ++i) {
    threads_.emplace_back([this] { Run(); });
  }
  return absl::OkStatus();
}

void ConnectionWaitingRoom::Stop() {
  {
    concurrency::MutexLock lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  if (!threads_.empty()) {
    const uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof(one));
    for (std::thread& thread : threads_) thread.join();
  }
  concurrency::MutexLock lock(mu_);
  for (const auto& [socket, waiting] : connections_) CloseSocket(socket);
  connections_.clear();
}

void ConnectionWaitingRoom::Park(int socket, std::string received) {
  if (HasCompleteRequestHead(received)) {
    {
      concurrency::MutexLock lock(mu_);
      if (stopped_) return CloseSocket(socket);
    }
    return dispatch_(socket, std::move(received));
  }
  const auto timeout = received.empty() ? options_.idle_timeout : options_.head_timeout;
  concurrency::MutexLock lock(mu_);
  Wait(socket, {std::move(received), Clock::now() + timeout});
}

void ConnectionWaitingRoom::Wait(int socket, Waiting waiting) {
  if (stopped_) return CloseSocket(socket);
  connections_[socket] = std::move(waiting);
  // One-shot: the next bytes wake one thread, and the connection stays disarmed while that
  // thread reads or serves it. A connection served before is still in the set (re-armed);
  // a new one is added.
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  event.data.fd = socket;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, socket, &event) == 0) return;
  if (errno == ENOENT && ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, socket, &event) == 0) return;
  connections_.erase(socket);
  CloseSocket(socket);
}

void ConnectionWaitingRoom::OnReadable(int socket) {
  Waiting waiting;
  {
    concurrency::MutexLock lock(mu_);
    auto it = connections_.find(socket);
    if (it == connections_.end()) return;  // closed (swept) since the event
    waiting = std::move(it->second);
    connections_.erase(it);
  }
  // Out of the map, the connection is this thread's alone: no lock held while reading.
  char buffer[4096];
  ssize_t n;
  do {
    n = ::recv(socket, buffer, sizeof(buffer), MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
    return CloseSocket(socket);  // the client went away
  }
  if (n > 0) {
    if (waiting.received.empty()) waiting.deadline = Clock::now() + options_.head_timeout;
    waiting.received.append(buffer, static_cast<size_t>(n));
    if (HasCompleteRequestHead(waiting.received)) {
      return dispatch_(socket, std::move(waiting.received));
    }
    if (waiting.received.size() > options_.max_head_bytes) return CloseSocket(socket);
  }
  concurrency::MutexLock lock(mu_);
  Wait(socket, std::move(waiting));
}

void ConnectionWaitingRoom::Sweep() {
  uint64_t expirations;
  (void)!::read(timer_fd_, &expirations, sizeof(expirations));
  const auto now = Clock::now();
  concurrency::MutexLock lock(mu_);
  std::vector<int> expired;
  for (const auto& [socket, waiting] : connections_) {
    if (waiting.deadline <= now) expired.push_back(socket);
  }
  for (int socket : expired) {
    connections_.erase(socket);
    CloseSocket(socket);  // closing removes it from the epoll set
  }
  epoll_event timer{};
  timer.events = EPOLLIN | EPOLLONESHOT;
  timer.data.fd = timer_fd_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, timer_fd_, &timer);
}

void ConnectionWaitingRoom::Run() {
  while (true) {
    // One event at a time: the thread serves what it takes, so it takes no more than one.
    epoll_event event{};
    const int n = ::epoll_wait(epoll_fd_, &event, 1, -1);
    if (n < 0 && errno != EINTR) return;  // the epoll set is gone: nothing left to serve
    if (n <= 0) continue;
    if (event.data.fd == wake_fd_) return;  // stopped
    if (event.data.fd == timer_fd_) {
      Sweep();
    } else {
      OnReadable(event.data.fd);
    }
  }
}

}  // namespace churn::gateway
