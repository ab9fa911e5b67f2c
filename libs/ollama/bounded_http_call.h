#pragma once
// One HTTP exchange that ends by a total deadline, whatever the server does.
//
// cpp-httplib's connection/read/write timeouts bound each socket operation, not the exchange: a
// server that sends nothing is cut at the read timeout, but one that trickles a byte now and then
// never is. So the exchange runs on a thread of its own while the caller waits for it until the
// deadline (or a stop request); then the caller returns at once and shuts the socket down with
// httplib's Client::stop(). The worker owns everything it touches (shared state, copies of the
// request), so an abandoned exchange winds down by itself without referring to the caller.

#include <chrono>
#include <stop_token>
#include <string>

#include "absl/status/statusor.h"

namespace churn::ollama {

using Clock = std::chrono::steady_clock;

struct HttpEndpoint {
  std::string base_url;  // "http://127.0.0.1:11434" (no path; a trailing '/' is ignored)
  // Connecting is capped by this as well as by the deadline: a local server accepts at once, so
  // a slow connect means an unreachable host, better reported early than at the deadline.
  std::chrono::milliseconds connect_timeout{2000};
};

struct HttpRequest {
  std::string method = "GET";  // "GET" or "POST"
  std::string path;            // "/api/chat"
  std::string body;            // POST only
  std::string content_type = "application/json";
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

// Any HTTP status is a response; the errors are about the transport:
//   DEADLINE_EXCEEDED  the deadline came first (also while connecting)
//   CANCELLED          `stop` was requested first
//   UNAVAILABLE        cannot connect (refused, unreachable) or the connection broke
//   INVALID_ARGUMENT   a base_url that is not scheme://host[:port]
absl::StatusOr<HttpResponse> CallWithDeadline(const HttpEndpoint& endpoint,
                                              const HttpRequest& request,
                                              Clock::time_point deadline,
                                              std::stop_token stop = {});

// Exchanges whose worker thread is still running, abandoned ones included. Tests poll it to
// show that an abandoned exchange really ends.
int HttpWorkersRunning();

}  // namespace churn::ollama
