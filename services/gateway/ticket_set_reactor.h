#pragma once
// The AnalyzeTicketSet stream: a task on the gateway's executor runs the batch
// (TicketAnalyzer::AnalyzeSet) and pushes each progress message here; the reactor writes them one
// at a time. A small queue bounds memory when the client reads slowly (the batch waits), and a
// client that goes away stops the batch at its next message.

#include <atomic>
#include <deque>
#include <optional>

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include "churn/v1/gateway.pb.h"
#include "concurrency/bounded_executor.h"
#include "concurrency/mutex.h"
#include "ticket_analyzer.h"

namespace churn::gateway {

class TicketSetReactor final : public grpc::ServerWriteReactor<v1::AnalyzeTicketSetResponse> {
 public:
  // Queues the batch on `executor` (the call fails with RESOURCE_EXHAUSTED when it is full);
  // deletes itself when both the call and the batch are over.
  static TicketSetReactor* Start(grpc::CallbackServerContext* context,
                                 const v1::AnalyzeTicketSetRequest& request,
                                 TicketAnalyzer* analyzer, concurrency::BoundedExecutor* executor);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  static constexpr size_t kMaxQueued = 16;

  TicketSetReactor() = default;
  // From the batch task: queues a message, waiting while the queue is full. False once the
  // client is gone.
  bool Push(const v1::AnalyzeTicketSetResponse& message) ABSL_LOCKS_EXCLUDED(mu_);
  void BatchDone(const grpc::Status& status) ABSL_LOCKS_EXCLUDED(mu_);
  void Release();

  concurrency::Mutex mu_;
  concurrency::CondVar space_;
  std::deque<v1::AnalyzeTicketSetResponse> queue_ ABSL_GUARDED_BY(mu_);
  v1::AnalyzeTicketSetResponse in_flight_;  // owned by gRPC while writing_
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> final_status_ ABSL_GUARDED_BY(mu_);
  std::atomic<int> references_{2};                  // the call and the batch
};

}  // namespace churn::gateway
