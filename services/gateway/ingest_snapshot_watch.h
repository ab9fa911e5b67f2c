#pragma once
// Wakes the refresh as soon as ingest has published a snapshot instead of at the next poll: one
// IngestService.WatchSnapshots stream held open on a thread of its own. The poll goes on
// regardless (it also follows scoring's rules), so a stream that fails only loses the early
// wake-up: it is opened again after a backoff (from 100 ms, doubling up to backoff_max), and an
// ingest without the RPC (UNIMPLEMENTED) is not asked again.

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "churn/v1/ingest.grpc.pb.h"
#include "concurrency/mutex.h"

namespace churn::gateway {

class IngestSnapshotWatch {
 public:
  // `on_snapshot` runs on the watch's thread for every message (the state when the stream
  // opens, then after every load): it should only wake someone up.
  IngestSnapshotWatch(std::shared_ptr<grpc::Channel> ingest, std::chrono::milliseconds backoff_max,
                      std::function<void()> on_snapshot);
  ~IngestSnapshotWatch();  // Stop()
  IngestSnapshotWatch(const IngestSnapshotWatch&) = delete;
  IngestSnapshotWatch& operator=(const IngestSnapshotWatch&) = delete;

  void Start();
  // Cancels the open stream and joins the thread. Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // Streams opened so far (for tests and logs).
  int64_t streams_opened() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  // Opens one stream and reads it to its end; false when the watch should stop for good.
  bool WatchOnce(bool* heard) ABSL_LOCKS_EXCLUDED(mu_);
  // Waits `pause` unless stopped meanwhile; false when stopped.
  bool Pause(std::chrono::milliseconds pause) ABSL_LOCKS_EXCLUDED(mu_);

  const std::unique_ptr<v1::IngestService::Stub> ingest_;
  const std::chrono::milliseconds backoff_max_;
  const std::function<void()> on_snapshot_;

  mutable concurrency::Mutex mu_;
  concurrency::CondVar wake_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* open_ ABSL_GUARDED_BY(mu_) = nullptr;  // the stream being read
  int64_t streams_opened_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace churn::gateway
