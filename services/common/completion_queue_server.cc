#include "common/completion_queue_server.h"

#include <pthread.h>

namespace churn::service {

CompletionQueueServer::CompletionQueueServer(std::string name, int threads)
    : name_(std::move(name)), threads_(threads < 1 ? 1 : threads) {}

CompletionQueueServer::~CompletionQueueServer() { Stop(); }

void CompletionQueueServer::AddTo(grpc::ServerBuilder& builder) {
  for (int i = 0; i < threads_; ++i) {
    queues_.push_back(std::make_unique<Queue>());
    queues_.back()->cq = builder.AddCompletionQueue();
  }
}

void CompletionQueueServer::Start() {
  for (size_t i = 0; i < queues_.size(); ++i) {
    for (CompletionQueueMethod* method : methods_) {
      for (int k = 0; k < kRequestedPerQueue; ++k) Request(*method, i);
    }
  }
  for (size_t i = 0; i < queues_.size(); ++i) {
    Queue* queue = queues_[i].get();
    pollers_.emplace_back([this, queue, i] {
      const std::string thread_name = (name_ + " cq " + std::to_string(i)).substr(0, 15);
      pthread_setname_np(pthread_self(), thread_name.c_str());
      Poll(*queue);
    });
  }
}

void CompletionQueueServer::Stop() {
  for (std::unique_ptr<Queue>& queue : queues_) {
    concurrency::MutexLock lock(queue->mu);
    if (queue->shut_down) continue;
    queue->shut_down = true;
    queue->cq->Shutdown();
  }
  if (pollers_.empty()) {  // never started: the requests still wait in the queues
    for (std::unique_ptr<Queue>& queue : queues_) Poll(*queue);
  }
  for (std::thread& poller : pollers_) {
    if (poller.joinable()) poller.join();
  }
  pollers_.clear();
}

void CompletionQueueServer::Request(CompletionQueueMethod& method, size_t queue) {
  Queue& q = *queues_[queue];
  concurrency::MutexLock lock(q.mu);
  if (q.shut_down) return;
  method.RequestCall(queue, q.cq.get());
}

void CompletionQueueServer::Poll(Queue& queue) {
  void* tag = nullptr;
  bool ok = false;
  while (queue.cq->Next(&tag, &ok)) static_cast<CompletionQueueTag*>(tag)->Proceed(ok);
}

}  // namespace churn::service
