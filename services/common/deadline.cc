#include "common/deadline.h"

#include <algorithm>

namespace churn::service {

std::unique_ptr<grpc::ClientContext> MakeDownstreamContext(
    const grpc::CallbackServerContext* incoming, std::chrono::milliseconds default_timeout) {
  auto capped = std::chrono::system_clock::now() + default_timeout;
  if (incoming == nullptr) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(capped);
    return context;
  }
  // Propagates the deadline and cancellation of the incoming call (the default options).
  std::unique_ptr<grpc::ClientContext> context =
      grpc::ClientContext::FromCallbackServerContext(*incoming);
  // An RPC without a deadline reports the far future here; min() keeps the cap.
  context->set_deadline(std::min(capped, incoming->deadline()));
  return context;
}

}  // namespace churn::service
