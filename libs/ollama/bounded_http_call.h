#pragma once
// One HTTP exchange that ends by a total deadline, whatever the server does, run on the calling
// thread.
//
// The exchange runs on libcurl's multi interface: the caller drives it in a curl_multi_poll
// loop whose every wait is bounded by the time left, so a server that sends nothing, or
// trickles a byte now and then, is cut at the deadline. A stop request wakes the poll
// (curl_multi_wakeup from a std::stop_callback), so cancelling takes effect at once. libcurl's
// own total and connect timeouts and a progress callback that checks the deadline and the stop
// token guard the same bounds a second time. When the call returns, its socket is closed and
// nothing of the exchange is left running.
//
// No call starts a thread for an IP-literal base url (the usual local Ollama). A host name is
// resolved by libcurl on a short-lived thread of its own (a call that ends meanwhile leaves the
// lookup to finish by itself); the DNS cache is shared by all calls, so that happens about once
// a minute per host, not once per call.
//
// Proxies from the environment (http_proxy, ...) are ignored: the model is a server on the same
// machine or network, never behind a proxy meant for outside traffic.

#include <chrono>
#include <cstddef>
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
  // A longer reply fails the call, so a server flooding bytes cannot exhaust memory. Ollama's
  // non-streamed replies are a few KiB.
  size_t max_reply_bytes = 8 << 20;
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
//   UNAVAILABLE        cannot connect (refused, unreachable, connect timeout) or the connection
//                      broke (closed or reset mid-reply)
//   OUT_OF_RANGE       the reply is longer than max_reply_bytes
//   INVALID_ARGUMENT   a base_url that is not http(s)://host[:port], or a method other than GET
//                      and POST
//   INTERNAL           libcurl itself failed (cannot initialise, out of memory)
absl::StatusOr<HttpResponse> CallWithDeadline(const HttpEndpoint& endpoint,
                                              const HttpRequest& request,
                                              Clock::time_point deadline,
                                              std::stop_token stop = {});

}  // namespace churn::ollama
