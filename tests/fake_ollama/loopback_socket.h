#pragma once
// Loopback ports in odd states, for the transport-error tests of the Ollama client and the
// enricher: refusing connections, or accepting them into a backlog nobody reads.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace churn::testing {

// A loopback socket bound to a free port; listening when asked. Closed on destruction.
class LoopbackSocket {
 public:
  explicit LoopbackSocket(bool listen) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return;
    socklen_t length = sizeof(address);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    if (listen) ::listen(fd_, 16);
  }
  ~LoopbackSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  LoopbackSocket(const LoopbackSocket&) = delete;
  LoopbackSocket& operator=(const LoopbackSocket&) = delete;

  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A port on which nothing listens: bound (so nobody else takes it) but not listening, so a
// connect is refused at once.
using RefusingPort = LoopbackSocket;

}  // namespace churn::testing
