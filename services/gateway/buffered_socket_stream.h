#pragma once
// An httplib::Stream over a connected socket that first yields bytes already read from it (by the
// connection waiting room), then reads the socket itself, waiting at most read_timeout for each
// read and write_timeout for each write.
//
// One stream serves one request. Its response head, when it announces a Content-Length (the body
// is in memory, written right after), is held and goes out with the body's first bytes in one
// send: one segment and one wake-up for the client instead of two. A chunked (streamed) response's
// head goes out at once, so a client sees it before the first chunk, however long that takes.
// Flush() sends what is still held (a head without a body, e.g. for HEAD).

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

  // Sends a held response head; false when the socket does not take it within write_timeout.
  bool Flush();

  // The bytes read from the socket but not consumed yet (a pipelined next request).
  std::string TakeUnread();

 private:
  const int socket_;
  std::string received_;
  size_t consumed_ = 0;
  const std::chrono::milliseconds read_timeout_;
  const std::chrono::milliseconds write_timeout_;
  bool wrote_ = false;  // anything written (or held) yet
  std::string held_;    // a response head waiting for its body
  size_t held_sent_ = 0;
};

}  // namespace churn::gateway
