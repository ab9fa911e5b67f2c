#pragma once
// One unary method answered through gRPC's async API by a fixed set of threads, each polling a
// completion queue of its own and running the handler inline on the thread that took the call:
// no handoff to another thread between the request arriving and the answer being written, and
// no thread per request (the count is fixed at construction; calls beyond what the threads take
// wait in gRPC's transport, cut by their deadlines).
//
//   UnaryCompletionQueueServer<v1::ScoreRequest, v1::ScoreResponse> score(
//       "score", threads,
//       [&service](auto* context, auto* request, auto* writer, auto* cq, void* tag) {
//         service.RequestScore(context, request, writer, cq, cq, tag);
//       },
//       [&service](grpc::ServerContext& context, const v1::ScoreRequest& request,
//                  v1::ScoreResponse* response) { return service.ScoreOne(request, response); });
//   host.AddCompletionQueueServer(&score);   // ServiceProcess drives AddTo/Start/Stop
//
// Request and response live on one protobuf arena per call. A call whose deadline has already
// passed when a thread takes it is answered DEADLINE_EXCEEDED without running the handler.

#include <google/protobuf/arena.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/async_unary_call.h>
#include <pthread.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/completion_queue_server.h"
#include "concurrency/mutex.h"

namespace churn::service {

template <typename Request, typename Response>
class UnaryCompletionQueueServer final : public CompletionQueueServer {
 public:
  // The generated Request<Method>(context, request, writer, new_call_cq, notification_cq, tag),
  // both queues being the one given.
  using RequestCall =
      std::function<void(grpc::ServerContext*, Request*, grpc::ServerAsyncResponseWriter<Response>*,
                         grpc::ServerCompletionQueue*, void*)>;
  using Handler =
      std::function<grpc::Status(grpc::ServerContext&, const Request&, Response* response)>;

  // `threads` >= 1; `name` names the threads ("<name> cq <i>", cut to 15 characters).
  UnaryCompletionQueueServer(std::string name, int threads, RequestCall request_call,
                             Handler handler)
      : name_(std::move(name)),
        threads_(threads < 1 ? 1 : threads),
        request_call_(std::move(request_call)),
        handler_(std::move(handler)) {}

  ~UnaryCompletionQueueServer() override { Stop(); }

  void AddTo(grpc::ServerBuilder& builder) override {
    for (int i = 0; i < threads_; ++i) {
      queues_.push_back(std::make_unique<Queue>());
      queues_.back()->cq = builder.AddCompletionQueue();
    }
  }

  void Start() override {
    for (size_t i = 0; i < queues_.size(); ++i) {
      Queue* queue = queues_[i].get();
      for (int k = 0; k < kRequestedPerQueue; ++k) RequestNext(*queue);
      pollers_.emplace_back([this, queue, i] {
        const std::string thread_name = (name_ + " cq " + std::to_string(i)).substr(0, 15);
        pthread_setname_np(pthread_self(), thread_name.c_str());
        Poll(*queue);
      });
    }
  }

  void Stop() override {
    for (std::unique_ptr<Queue>& queue : queues_) {
      concurrency::MutexLock lock(queue->mu);
      if (queue->shut_down) continue;
      queue->shut_down = true;
      queue->cq->Shutdown();
    }
    if (pollers_.empty()) {  // never started: the requests still wait in the queues
      for (std::unique_ptr<Queue>& queue : queues_) Drain(*queue);
    }
    for (std::thread& poller : pollers_) {
      if (poller.joinable()) poller.join();
    }
    pollers_.clear();
  }

 private:
  // Calls each queue has asked gRPC for at any time (one is renewed as soon as it is taken).
  static constexpr int kRequestedPerQueue = 2;

  struct Queue {
    std::unique_ptr<grpc::ServerCompletionQueue> cq;
    concurrency::Mutex mu;  // orders a new request against the queue's shutdown
    bool shut_down ABSL_GUARDED_BY(mu) = false;
  };

  // One call, from its request to the end of its Finish; the completion queue's tag.
  struct Call {
    Call() : arena(ArenaOptions()), writer(&context) {
      request = google::protobuf::Arena::CreateMessage<Request>(&arena);
      response = google::protobuf::Arena::CreateMessage<Response>(&arena);
    }
    static google::protobuf::ArenaOptions ArenaOptions() {
      google::protobuf::ArenaOptions options;
      options.start_block_size = 4 << 10;
      options.max_block_size = 64 << 10;
      return options;
    }
    google::protobuf::Arena arena;
    grpc::ServerContext context;
    Request* request = nullptr;
    Response* response = nullptr;
    grpc::ServerAsyncResponseWriter<Response> writer;
    bool finishing = false;
  };

  // Asks gRPC for the next call on `queue`, unless it is shutting down (a request on a queue
  // that was shut down would never come back).
  void RequestNext(Queue& queue) {
    concurrency::MutexLock lock(queue.mu);
    if (queue.shut_down) return;
    auto* call = new Call;
    request_call_(&call->context, call->request, &call->writer, queue.cq.get(), call);
  }

  void Poll(Queue& queue) {
    void* tag = nullptr;
    bool ok = false;
    while (queue.cq->Next(&tag, &ok)) {
      auto* call = static_cast<Call*>(tag);
      // The answer went out (or the call ended first), or the server stopped before a call came.
      if (call->finishing || !ok) {
        delete call;
        continue;
      }
      RequestNext(queue);
      Answer(*call);
    }
  }

  void Drain(Queue& queue) {
    void* tag = nullptr;
    bool ok = false;
    while (queue.cq->Next(&tag, &ok)) delete static_cast<Call*>(tag);
  }

  void Answer(Call& call) {
    call.finishing = true;
    if (call.context.deadline() <= std::chrono::system_clock::now()) {
      call.writer.FinishWithError(
          grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline passed before the call ran"),
          &call);
      return;
    }
    grpc::Status status = handler_(call.context, *call.request, call.response);
    if (status.ok()) {
      call.writer.Finish(*call.response, status, &call);
    } else {
      call.writer.FinishWithError(status, &call);
    }
  }

  const std::string name_;
  const int threads_;
  const RequestCall request_call_;
  const Handler handler_;
  std::vector<std::unique_ptr<Queue>> queues_;
  std::vector<std::thread> pollers_;
};

}  // namespace churn::service
