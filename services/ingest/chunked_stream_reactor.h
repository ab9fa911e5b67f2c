#pragma once
// A server-streaming reactor that writes the messages a generator produces, one write in flight
// at a time (so memory holds one message, not the whole stream), and ends with OK when the
// generator is done or CANCELLED when the client went away.

#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include <functional>
#include <utility>

namespace churn::ingest_service {

template <typename Response>
class ChunkedStreamReactor final : public grpc::ServerWriteReactor<Response> {
 public:
  // Fills the next message and returns true, or returns false when the stream is complete.
  using Generator = std::function<bool(Response*)>;

  explicit ChunkedStreamReactor(Generator next) : next_(std::move(next)) { WriteNext(); }

  // A stream that ends at once with `status` (a request that cannot be served).
  static ChunkedStreamReactor* Failed(grpc::Status status) {
    return new ChunkedStreamReactor(std::move(status));
  }

  // A stream whose messages are prepared elsewhere (on the executor): nothing is written until
  // Start, and Fail ends it with an error instead. Exactly one of them must be called.
  static ChunkedStreamReactor* Deferred() { return new ChunkedStreamReactor(); }
  void Start(Generator next) {
    next_ = std::move(next);
    WriteNext();
  }
  void Fail(grpc::Status status) { this->Finish(std::move(status)); }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      this->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "stream closed by the client"));
      return;
    }
    WriteNext();
  }

  void OnDone() override { delete this; }

 private:
  explicit ChunkedStreamReactor(grpc::Status status) { this->Finish(std::move(status)); }
  ChunkedStreamReactor() = default;

  void WriteNext() {
    response_.Clear();
    if (!next_(&response_)) {
      this->Finish(grpc::Status::OK);
      return;
    }
    this->StartWrite(&response_);
  }

  Generator next_;
  Response response_;
};

}  // namespace churn::ingest_service
