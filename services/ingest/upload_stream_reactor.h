#pragma once
// A client-streaming upload: each message is handed to a receiver as it arrives (cheap work on
// the gRPC thread: staging bytes, enforcing limits), and when the client closes its side the
// receiver completes the upload on the service's executor (validation reads whole tables, never
// on a gRPC thread). A refused message, a cancelled call or a failed completion destroys the
// receiver, which leaves nothing staged behind.

#include <grpcpp/support/server_callback.h>

#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "common/grpc_status.h"
#include "concurrency/bounded_executor.h"

namespace churn::ingest_service {

template <typename Request, typename Response>
class UploadReceiver {
 public:
  virtual ~UploadReceiver() = default;
  virtual absl::Status Accept(const Request& request) = 0;
  // Called once, after the last message of a call that was not cancelled.
  virtual absl::Status Complete(Response* response) = 0;
};

template <typename Request, typename Response>
class UploadStreamReactor final : public grpc::ServerReadReactor<Request> {
 public:
  using Receiver = UploadReceiver<Request, Response>;

  UploadStreamReactor(concurrency::BoundedExecutor* executor, grpc::CallbackServerContext* context,
                      Response* response, std::unique_ptr<Receiver> receiver)
      : executor_(executor),
        context_(context),
        response_(response),
        receiver_(std::move(receiver)) {
    this->StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (ok) {
      absl::Status accepted = receiver_->Accept(request_);
      if (!accepted.ok()) {
        End(accepted);
        return;
      }
      this->StartRead(&request_);
      return;
    }
    absl::Status queued = executor_->Submit([this] { End(Complete()); });
    if (!queued.ok()) End(queued);
  }

  void OnDone() override { delete this; }

 private:
  absl::Status Complete() {
    // A cancelled call also ends the reads: its bytes may be cut short, so it is never applied.
    if (context_->IsCancelled()) return absl::CancelledError("upload cancelled by the client");
    return receiver_->Complete(response_);
  }

  void End(const absl::Status& status) {
    receiver_.reset();
    if (!status.ok()) response_->Clear();
    this->Finish(service::ToGrpcStatus(status));  // the last use of `this`: OnDone may free it
  }

  concurrency::BoundedExecutor* const executor_;
  grpc::CallbackServerContext* const context_;
  Response* const response_;
  std::unique_ptr<Receiver> receiver_;
  Request request_;
};

}  // namespace churn::ingest_service
