#include "ollama/bounded_http_call.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace churn::ollama {
namespace {

std::atomic<int>& WorkersRunning() {
  static std::atomic<int> running{0};
  return running;
}

// Everything one exchange touches; shared by the caller and the worker, so whichever lets go
// last frees it.
struct Exchange {
  explicit Exchange(const std::string& base_url) : client(base_url) {}

  httplib::Client client;
  std::mutex mu;
  std::condition_variable_any finished_cv;
  bool finished = false;                           // guarded by mu
  httplib::Error error = httplib::Error::Success;  // guarded by mu
  HttpResponse response;                           // guarded by mu
  // Set when the caller stops waiting. A socket created after that (the worker had not reached
  // connect() when Client::stop() ran) is shut down as soon as it exists.
  std::atomic<bool> abandoned{false};
};

std::string NormalisedBaseUrl(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

bool DeadlineReached(Clock::time_point deadline) {
  // A socket timeout set to the remaining time fires a hair before the deadline.
  return Clock::now() + std::chrono::milliseconds(5) >= deadline;
}

absl::Status TransportError(httplib::Error error, const std::string& url,
                            Clock::time_point deadline) {
  switch (error) {
    case httplib::Error::Canceled:
      return absl::CancelledError(absl::StrCat("request to ", url, " cancelled"));
    case httplib::Error::Connection:
    case httplib::Error::ConnectionTimeout:
      if (DeadlineReached(deadline)) {
        return absl::DeadlineExceededError(absl::StrCat("deadline passed connecting to ", url));
      }
      return absl::UnavailableError(
          absl::StrCat("cannot connect to ", url, " (", httplib::to_string(error), ")"));
    case httplib::Error::Read:
    case httplib::Error::Write:
      if (DeadlineReached(deadline)) {
        return absl::DeadlineExceededError(absl::StrCat("deadline passed waiting for ", url));
      }
      return absl::UnavailableError(
          absl::StrCat("connection to ", url, " broke (", httplib::to_string(error), ")"));
    default:
      return absl::UnavailableError(
          absl::StrCat("request to ", url, " failed (", httplib::to_string(error), ")"));
  }
}

void RunExchange(std::shared_ptr<Exchange> exchange, HttpRequest request) {
  httplib::Result result =
      request.method == "POST"
          ? exchange->client.Post(request.path.c_str(), request.body, request.content_type.c_str())
          : exchange->client.Get(request.path.c_str());
  {
    std::lock_guard<std::mutex> lock(exchange->mu);
    exchange->finished = true;
    if (result) {
      exchange->response.status = result->status;
      exchange->response.body = std::move(result->body);
    } else {
      exchange->error = result.error();
    }
  }
  exchange->finished_cv.notify_all();
  exchange.reset();  // the socket closes here when the caller has already gone
  WorkersRunning().fetch_sub(1);
}

}  // namespace

absl::StatusOr<HttpResponse> CallWithDeadline(const HttpEndpoint& endpoint,
                                              const HttpRequest& request,
                                              Clock::time_point deadline, std::stop_token stop) {
  const std::string url = NormalisedBaseUrl(endpoint.base_url);
  if (!absl::StartsWith(url, "http://") && !absl::StartsWith(url, "https://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("base url must be http://host:port, got '", url, "'"));
  }
  if (request.method != "GET" && request.method != "POST") {
    return absl::InvalidArgumentError(absl::StrCat("unsupported method ", request.method));
  }
  if (stop.stop_requested()) {
    return absl::CancelledError(absl::StrCat("request to ", url, " cancelled"));
  }
  const Clock::duration remaining = deadline - Clock::now();
  if (remaining <= Clock::duration::zero()) {
    return absl::DeadlineExceededError(absl::StrCat("deadline passed before calling ", url));
  }

  auto exchange = std::make_shared<Exchange>(url);
  if (!exchange->client.is_valid()) {
    return absl::InvalidArgumentError(
        absl::StrCat("base url must be http://host:port, got '", url, "'"));
  }
  // The socket timeouts end the worker near the deadline even when nobody stops it; the
  // deadline itself is kept by the wait below.
  const auto remaining_us = std::max<int64_t>(
      1000, std::chrono::duration_cast<std::chrono::microseconds>(remaining).count());
  const auto connect_us = std::min<int64_t>(
      remaining_us,
      std::chrono::duration_cast<std::chrono::microseconds>(endpoint.connect_timeout).count());
  exchange->client.set_connection_timeout(connect_us / 1000000, connect_us % 1000000);
  exchange->client.set_read_timeout(remaining_us / 1000000, remaining_us % 1000000);
  exchange->client.set_write_timeout(remaining_us / 1000000, remaining_us % 1000000);
  exchange->client.set_keep_alive(false);
  exchange->client.set_tcp_nodelay(true);
  Exchange* raw = exchange.get();  // the client (and so this callback) lives inside *raw
  exchange->client.set_socket_options([raw](socket_t socket) {
    if (raw->abandoned.load()) ::shutdown(socket, SHUT_RDWR);
  });

  WorkersRunning().fetch_add(1);
  try {
    std::thread(RunExchange, exchange, request).detach();
  } catch (const std::system_error& e) {
    WorkersRunning().fetch_sub(1);
    return absl::ResourceExhaustedError(absl::StrCat("cannot start a request thread: ", e.what()));
  }

  std::unique_lock<std::mutex> lock(exchange->mu);
  const bool finished =
      exchange->finished_cv.wait_until(lock, stop, deadline, [&] { return exchange->finished; });
  if (finished) {
    if (exchange->error != httplib::Error::Success) {
      return TransportError(exchange->error, url, deadline);
    }
    return std::move(exchange->response);
  }
  lock.unlock();
  exchange->abandoned.store(true);
  // Shuts the socket down under httplib's own lock: the blocked read or write fails at once and
  // the worker ends (it closes the socket itself).
  exchange->client.stop();
  if (stop.stop_requested()) {
    return absl::CancelledError(absl::StrCat("request to ", url, " cancelled"));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("no complete reply from ", url, request.path, " within the deadline"));
}

int HttpWorkersRunning() { return WorkersRunning().load(); }

}  // namespace churn::ollama
