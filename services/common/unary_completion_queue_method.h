#pragma once
// One unary method answered through gRPC's async API from a CompletionQueueServer's queues: the
// handler runs inline on the queue's thread that took the call (no handoff between the request
// arriving and the answer being written), or, for a method whose work is long or blocks, on the
// process's bounded executor, so the queue's thread goes back to polling at once.
//
//   CompletionQueueServer queues("scoring", threads);
//   UnaryCompletionQueueMethod<v1::ScoreRequest, v1::ScoreResponse> score(
//       queues,
//       [&service](auto* context, auto* request, auto* writer, auto* cq, void* tag) {
//         service.RequestScore(context, request, writer, cq, cq, tag);
//       },
//       [&service](grpc::ServerContext& context, const v1::ScoreRequest& request,
//                  v1::ScoreResponse* response) { return service.ScoreOne(request, response); });
//   host.AddCompletionQueueServer(&queues);   // ServiceProcess drives AddTo/Start/Stop
//
// Request and response live on one protobuf arena per call. A call whose deadline has already
// passed when it is taken is answered DEADLINE_EXCEEDED without running the handler; an
// executor that refuses the work (full, shutting down) is answered with its status.

#include <google/protobuf/arena.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/async_unary_call.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <utility>

#include "common/completion_queue_server.h"
#include "common/grpc_status.h"
#include "concurrency/bounded_executor.h"

namespace churn::service {

template <typename Request, typename Response>
class UnaryCompletionQueueMethod final : public CompletionQueueMethod {
 public:
  // The generated Request<Method>(context, request, writer, new_call_cq, notification_cq, tag),
  // both queues being the one given.
  using Requester =
      std::function<void(grpc::ServerContext*, Request*, grpc::ServerAsyncResponseWriter<Response>*,
                         grpc::ServerCompletionQueue*, void*)>;
  using Handler =
      std::function<grpc::Status(grpc::ServerContext&, const Request&, Response* response)>;

  // Adds itself to `server` (before the process starts). With `executor`, the handler runs
  // there instead of inline.
  UnaryCompletionQueueMethod(CompletionQueueServer& server, Requester request_call, Handler handler,
                             concurrency::BoundedExecutor* executor = nullptr,
                             size_t first_block = 4 << 10, size_t max_block = 64 << 10)
      : server_(server),
        request_call_(std::move(request_call)),
        handler_(std::move(handler)),
        executor_(executor) {
    arena_options_.start_block_size = first_block;
    arena_options_.max_block_size = max_block;
    server_.AddMethod(this);
  }

  void RequestCall(size_t queue, grpc::ServerCompletionQueue* cq) override {
    auto* call = new Call(*this, queue);
    request_call_(&call->context, call->request, &call->writer, cq, call);
  }

 private:
  // One call, from its request to the end of its Finish; the completion queue's tag.
  struct Call final : CompletionQueueTag {
    Call(UnaryCompletionQueueMethod& owner, size_t queue_index)
        : method(owner), queue(queue_index), arena(owner.arena_options_), writer(&context) {
      request = google::protobuf::Arena::CreateMessage<Request>(&arena);
      response = google::protobuf::Arena::CreateMessage<Response>(&arena);
    }

    void Proceed(bool ok) override {
      // The answer went out (or the call ended first), or the server stopped before a call came.
      if (finishing || !ok) {
        delete this;
        return;
      }
      finishing = true;
      method.server_.Request(method, queue);
      method.Answer(*this);
    }

    UnaryCompletionQueueMethod& method;
    const size_t queue;
    google::protobuf::Arena arena;
    grpc::ServerContext context;
    Request* request = nullptr;
    Response* response = nullptr;
    grpc::ServerAsyncResponseWriter<Response> writer;
    bool finishing = false;
  };

  void Answer(Call& call) {
    if (call.context.deadline() <= std::chrono::system_clock::now()) {
      call.writer.FinishWithError(
          grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline passed before the call ran"),
          &call);
      return;
    }
    if (executor_ == nullptr) {
      Run(call);
      return;
    }
    absl::Status submitted = executor_->Submit([this, &call] { Run(call); });
    if (!submitted.ok()) call.writer.FinishWithError(ToGrpcStatus(submitted), &call);
  }

  void Run(Call& call) {
    grpc::Status status = handler_(call.context, *call.request, call.response);
    if (status.ok()) {
      call.writer.Finish(*call.response, status, &call);
    } else {
      call.writer.FinishWithError(status, &call);
    }
  }

  CompletionQueueServer& server_;
  const Requester request_call_;
  const Handler handler_;
  concurrency::BoundedExecutor* const executor_;
  google::protobuf::ArenaOptions arena_options_;
};

}  // namespace churn::service
