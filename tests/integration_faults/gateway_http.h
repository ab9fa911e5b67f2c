#pragma once
// One HTTP call to the gateway on a fresh connection, with its status, body and how long it took
// (a failed connection or a timeout is an error, not a status).

#include <chrono>
#include <string>

namespace churn::testing {

struct HttpReply {
  int status = 0;
  std::string body;
  std::string error;            // empty when an HTTP response arrived
  bool connect_failed = false;  // no connection at all: the request was never sent
  std::chrono::milliseconds took{0};

  bool answered() const { return error.empty(); }
  bool ok() const { return answered() && status >= 200 && status < 300; }
};

HttpReply HttpGet(int port, const std::string& path,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));
HttpReply HttpPostJson(int port, const std::string& path, const std::string& body,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace churn::testing
