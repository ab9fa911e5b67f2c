#pragma once
// Methods a service answers through gRPC's async API, from completion queues of its own polled by
// a fixed set of threads, beside the callback services of its ServiceProcess. The process drives
// the lifecycle: AddTo before the server is built, Start once it serves, Stop after it has
// shut down (every call ended).

#include <grpcpp/server_builder.h>

namespace churn::service {

class CompletionQueueServer {
 public:
  virtual ~CompletionQueueServer() = default;
  // Adds its completion queues to the builder (before BuildAndStart).
  virtual void AddTo(grpc::ServerBuilder& builder) = 0;
  // After the server started: requests the first calls and starts its threads.
  virtual void Start() = 0;
  // After grpc::Server::Shutdown and Wait: shuts its queues down and joins its threads.
  virtual void Stop() = 0;
};

}  // namespace churn::service
