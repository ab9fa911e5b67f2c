#include "buffered_socket_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace churn::gateway {
namespace {

bool WaitFor(int socket, short events, std::chrono::milliseconds timeout) {
  pollfd fd{socket, events, 0};
  int rc;
  do {
    rc = ::poll(&fd, 1, static_cast<int>(timeout.count()));
  } while (rc < 0 && errno == EINTR);
  return rc > 0;
}

void AddressOf(const sockaddr_storage& address, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
    port = ntohs(v4->sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    port = ntohs(v6->sin6_port);
  }
  ip = text;
}

// A response head (status line to blank line) whose body has a known length: the body, in
// memory, is the next write. A chunked head is not held: its first chunk may be long in coming.
bool IsHeadOfBodyInMemory(absl::string_view bytes) {
  return absl::StartsWith(bytes, "HTTP/1.") && absl::EndsWith(bytes, "\r\n\r\n") &&
         absl::StrContains(bytes, "\r\nContent-Length: ") &&
         !absl::StrContains(bytes, "\r\nTransfer-Encoding: chunked\r\n");
}

}  // namespace

BufferedSocketStream::BufferedSocketStream(int socket, std::string received,
                                           std::chrono::milliseconds read_timeout,
                                           std::chrono::milliseconds write_timeout)
    : socket_(socket),
      received_(std::move(received)),
      read_timeout_(read_timeout),
      write_timeout_(write_timeout) {}

bool BufferedSocketStream::is_readable() const {
  return consumed_ < received_.size() || WaitFor(socket_, POLLIN, read_timeout_);
}

bool BufferedSocketStream::is_writable() const { return WaitFor(socket_, POLLOUT, write_timeout_); }

ssize_t BufferedSocketStream::read(char* ptr, size_t size) {
  if (consumed_ < received_.size()) {
    const size_t n = std::min(size, received_.size() - consumed_);
    std::memcpy(ptr, received_.data() + consumed_, n);
    consumed_ += n;
    return static_cast<ssize_t>(n);
  }
  // Try first, wait only when nothing is there: a poll call a read saved.
  while (true) {
    ssize_t n;
    do {
      n = ::recv(socket_, ptr, size, MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) return n;
    if (!WaitFor(socket_, POLLIN, read_timeout_)) return -1;
  }
}

ssize_t BufferedSocketStream::write(const char* ptr, size_t size) {
  if (!wrote_) {
    wrote_ = true;
    if (IsHeadOfBodyInMemory(absl::string_view(ptr, size))) {
      held_.assign(ptr, size);
      return static_cast<ssize_t>(size);
    }
  }
  // Send what the socket takes now (the caller writes the rest); wait only when it takes nothing.
  // A held head goes first, in the same call.
  while (true) {
    const size_t held = held_.size() - held_sent_;
    iovec parts[2] = {{held_.data() + held_sent_, held}, {const_cast<char*>(ptr), size}};
    msghdr message{};
    message.msg_iov = held > 0 ? parts : parts + 1;
    message.msg_iovlen = held > 0 ? 2 : 1;
    ssize_t n;
    do {
      n = ::sendmsg(socket_, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return n;
    if (n < 0) {
      if (!is_writable()) return -1;
      continue;
    }
    if (static_cast<size_t>(n) < held) {
      held_sent_ += static_cast<size_t>(n);
      continue;
    }
    if (held > 0) {
      held_.clear();
      held_sent_ = 0;
      n -= static_cast<ssize_t>(held);
      if (n == 0 && size > 0) continue;  // the head went, none of this yet
    }
    return n;
  }
}

bool BufferedSocketStream::Flush() {
  if (held_.size() == held_sent_) return true;
  return write(nullptr, 0) >= 0;
}

void BufferedSocketStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (::getpeername(socket_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    AddressOf(address, ip, port);
  }
}

void BufferedSocketStream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (::getsockname(socket_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    AddressOf(address, ip, port);
  }
}

std::string BufferedSocketStream::TakeUnread() {
  std::string unread = received_.substr(std::min(consumed_, received_.size()));
  received_.clear();
  consumed_ = 0;
  return unread;
}

}  // namespace churn::gateway
