#include "call_scope.h"

#include <algorithm>

#include "common/deadline.h"

namespace churn::gateway {

CallScope CallScope::ForRpc(const grpc::CallbackServerContext* incoming) {
  Clock::time_point deadline = incoming->deadline();
  // A call without a deadline reports (about) the far future: keep it unbounded.
  if (deadline < Clock::time_point::max() - std::chrono::hours(24 * 365)) {
    deadline -= kReplyMargin;
  } else {
    deadline = Clock::time_point::max();
  }
  return CallScope(incoming, deadline);
}

std::unique_ptr<grpc::ClientContext> CallScope::NewContext(
    std::chrono::milliseconds default_timeout) const {
  std::unique_ptr<grpc::ClientContext> context =
      service::MakeDownstreamContext(incoming_, default_timeout);
  // With a propagated parent deadline, gRPC uses the earlier of the two.
  context->set_deadline(std::min(context->deadline(), deadline_));
  return context;
}

}  // namespace churn::gateway
