#include "integration_faults/gateway_http.h"

#include <httplib.h>

namespace churn::testing {
namespace {

using Clock = std::chrono::steady_clock;

httplib::Client ClientFor(int port, std::chrono::milliseconds timeout) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(std::chrono::duration_cast<std::chrono::microseconds>(timeout));
  client.set_read_timeout(std::chrono::duration_cast<std::chrono::microseconds>(timeout));
  client.set_write_timeout(std::chrono::duration_cast<std::chrono::microseconds>(timeout));
  client.set_keep_alive(false);
  return client;
}

HttpReply ReplyOf(const httplib::Result& result, Clock::time_point started) {
  HttpReply reply;
  reply.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  if (!result) {
    reply.error = httplib::to_string(result.error());
    reply.connect_failed = result.error() == httplib::Error::Connection;
    return reply;
  }
  reply.status = result->status;
  reply.body = result->body;
  return reply;
}

}  // namespace

HttpReply HttpGet(int port, const std::string& path, std::chrono::milliseconds timeout) {
  const auto started = Clock::now();
  httplib::Client client = ClientFor(port, timeout);
  return ReplyOf(client.Get(path), started);
}

HttpReply HttpPostJson(int port, const std::string& path, const std::string& body,
                       std::chrono::milliseconds timeout) {
  const auto started = Clock::now();
  httplib::Client client = ClientFor(port, timeout);
  return ReplyOf(client.Post(path, body, "application/json"), started);
}

}  // namespace churn::testing
