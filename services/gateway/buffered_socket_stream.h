#pragma once
// An httplib::Stream over a connected socket that first yields bytes already read from it (by the
// connection waiting room), then reads the socket itself, waiting at most read_timeout for each
// read and write_timeout for each write.

#include <chrono>
#include <string>

#include <httplib.h>

namespace churn::gateway {

class BufferedSocketStream : public httplib::Stream {
 public:
  BufferedSocketStream(int socket, std::string received, std::chrono::milliseconds read_timeout,
                       std::chrono::milliseconds write_timeout);

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return socket_; }

  // The bytes read from the socket but not consumed yet (a pipelined next request).
  std::string TakeUnread();

 private:
  const int socket_;
  std::string received_;
  size_t consumed_ = 0;
  const std::chrono::milliseconds read_timeout_;
  const std::chrono::milliseconds write_timeout_;
};

}  // namespace churn::gateway
