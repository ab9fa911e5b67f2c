#pragma once
// WatchSnapshots: the open streams of clients that want to hear of every publish. Each stream has
// at most one message on its way; a load while one is (or several) marks it stale, and the next
// message carries the state at that time, so a slow client costs one message, never a queue.

#include <grpcpp/support/server_callback.h>
#include <grpcpp/support/status.h>

#include <functional>
#include <set>
#include <vector>

#include "churn/v1/ingest.pb.h"
#include "concurrency/mutex.h"

namespace churn::ingest_service {

class SnapshotWatchers {
 public:
  // Fills a message with the current snapshot info and last error.
  using Fill = std::function<void(v1::WatchSnapshotsResponse*)>;

  explicit SnapshotWatchers(Fill fill) : fill_(std::move(fill)) {}
  // Close() must have ended every stream before this is destroyed.
  ~SnapshotWatchers() = default;

  // A new stream; its first message is the state now. After Close(): ends with UNAVAILABLE.
  grpc::ServerWriteReactor<v1::WatchSnapshotsResponse>* Open();
  // A load finished: every stream sends the state now (or after the message on its way).
  void NotifyAll() ABSL_LOCKS_EXCLUDED(mu_);
  // Ends every stream with UNAVAILABLE and refuses new ones; waits until all are done.
  void Close() ABSL_LOCKS_EXCLUDED(mu_);
  size_t open_streams() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  class Reactor;
  // The open streams, each with a reference the caller drops (Unref) when done with it.
  std::vector<Reactor*> Referenced() ABSL_LOCKS_EXCLUDED(mu_);
  void Remove(Reactor* reactor) ABSL_LOCKS_EXCLUDED(mu_);

  const Fill fill_;
  mutable concurrency::Mutex mu_;
  concurrency::CondVar all_done_;
  std::set<Reactor*> open_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace churn::ingest_service
