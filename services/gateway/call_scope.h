#pragma once
// Where an outgoing call comes from, and so what deadline it gets:
//   - while serving a gRPC call: the caller's deadline (and cancellation) via
//     services/common/deadline.h, minus a small reply margin so the gateway can still answer
//     with the downstream error before its own caller gives up;
//   - while serving an HTTP request: the request's own deadline, when it has one;
//   - in the background (the refresh poller): just the per-call default.
// Every outgoing call is capped by its configured per-call timeout as well.

#include <chrono>
#include <functional>
#include <memory>

#include <grpcpp/client_context.h>
#include <grpcpp/server_context.h>

namespace churn::gateway {

class CallScope {
 public:
  using Clock = std::chrono::system_clock;

  // The time kept back from an incoming deadline to report a downstream failure in time.
  static constexpr std::chrono::milliseconds kReplyMargin{100};

  static CallScope Background() { return CallScope(nullptr, Clock::time_point::max()); }
  static CallScope ForRpc(const grpc::CallbackServerContext* incoming);
  static CallScope WithDeadline(Clock::time_point deadline) { return CallScope(nullptr, deadline); }

  // A context for one outgoing call, with deadline min(now + default_timeout, scope deadline).
  std::unique_ptr<grpc::ClientContext> NewContext(std::chrono::milliseconds default_timeout) const;

  // The scope's own deadline (time_point::max() when it has none).
  Clock::time_point deadline() const { return deadline_; }
  bool expired() const { return Clock::now() >= deadline_; }

 private:
  CallScope(const grpc::CallbackServerContext* incoming, Clock::time_point deadline)
      : incoming_(incoming), deadline_(deadline) {}

  const grpc::CallbackServerContext* incoming_;
  Clock::time_point deadline_;
};

}  // namespace churn::gateway
