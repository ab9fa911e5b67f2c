#include "ticket_set_reactor.h"

#include "common/grpc_status.h"

namespace churn::gateway {

TicketSetReactor* TicketSetReactor::Start(grpc::CallbackServerContext* context,
                                          const v1::AnalyzeTicketSetRequest& request,
                                          TicketAnalyzer* analyzer,
                                          concurrency::BoundedExecutor* executor) {
  auto* reactor = new TicketSetReactor();
  const CallScope scope = CallScope::ForRpc(context);
  absl::Status queued = executor->Submit([reactor, scope, request, analyzer] {
    absl::Status status = analyzer->AnalyzeSet(
        scope, request,
        [reactor](const v1::AnalyzeTicketSetResponse& message) { return reactor->Push(message); });
    reactor->BatchDone(service::ToGrpcStatus(status));
    reactor->Release();
  });
  if (!queued.ok()) {
    reactor->BatchDone(service::ToGrpcStatus(queued));
    reactor->Release();
  }
  return reactor;
}

bool TicketSetReactor::Push(const v1::AnalyzeTicketSetResponse& message) {
  concurrency::MutexLock lock(mu_);
  space_.Wait(mu_, [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return queue_.size() < kMaxQueued || cancelled_;
  });
  if (cancelled_) return false;
  queue_.push_back(message);
  if (writing_) return true;
  writing_ = true;
  in_flight_ = std::move(queue_.front());
  queue_.pop_front();
  lock.Unlock();
  StartWrite(&in_flight_);
  return true;
}

void TicketSetReactor::OnWriteDone(bool ok) {
  concurrency::MutexLock lock(mu_);
  writing_ = false;
  if (!ok) {
    // The client is gone: stop the batch; it finishes the call when it returns.
    cancelled_ = true;
    queue_.clear();
    space_.NotifyAll();
  } else if (!queue_.empty()) {
    writing_ = true;
    in_flight_ = std::move(queue_.front());
    queue_.pop_front();
    space_.NotifyAll();
    lock.Unlock();
    StartWrite(&in_flight_);
    return;
  }
  if (final_status_ && !finished_) {
    finished_ = true;
    grpc::Status status = *final_status_;
    lock.Unlock();
    Finish(status);
  }
}

void TicketSetReactor::BatchDone(const grpc::Status& status) {
  concurrency::MutexLock lock(mu_);
  final_status_ = status;
  if (!writing_ && !finished_) {
    finished_ = true;
    lock.Unlock();
    Finish(status);
  }
  // Otherwise OnWriteDone finishes the call once the queued messages are written.
}

void TicketSetReactor::OnCancel() {
  concurrency::MutexLock lock(mu_);
  cancelled_ = true;
  space_.NotifyAll();
}

void TicketSetReactor::OnDone() { Release(); }

void TicketSetReactor::Release() {
  if (references_.fetch_sub(1) == 1) delete this;
}

}  // namespace churn::gateway
