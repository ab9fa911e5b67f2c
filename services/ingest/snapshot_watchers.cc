#include "snapshot_watchers.h"

#include <atomic>
#include <chrono>
#include <utility>
#include <vector>

namespace churn::ingest_service {

// One stream. Its lock orders the writes; gRPC calls are made outside it (and outside the
// hub's), since a reaction may run on the thread that started the operation. Counted references:
// gRPC's (dropped in OnDone) and the hub's while it notifies outside its lock.
class SnapshotWatchers::Reactor final
    : public grpc::ServerWriteReactor<v1::WatchSnapshotsResponse> {
 public:
  explicit Reactor(SnapshotWatchers* hub) : hub_(hub) {}

  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  // Sends the state now, or after the message on its way.
  void Notify() ABSL_LOCKS_EXCLUDED(mu_) {
    {
      concurrency::MutexLock lock(mu_);
      if (ending_) return;
      if (writing_) {
        stale_ = true;
        return;
      }
      writing_ = true;
    }
    Write();
  }

  // Ends the stream with `status` once no write is on its way.
  void End(grpc::Status status) ABSL_LOCKS_EXCLUDED(mu_) {
    {
      concurrency::MutexLock lock(mu_);
      if (ending_) return;
      ending_ = true;
      end_status_ = std::move(status);
      if (writing_) return;  // OnWriteDone finishes
    }
    Finish(end_status_);
  }

  void OnWriteDone(bool ok) override {
    bool write = false;
    {
      concurrency::MutexLock lock(mu_);
      writing_ = false;
      if (!ok && !ending_) {
        ending_ = true;
        end_status_ = grpc::Status(grpc::StatusCode::CANCELLED, "stream closed by the client");
      }
      if (!ending_ && stale_) {
        stale_ = false;
        writing_ = write = true;
      } else if (!ending_) {
        return;
      }
    }
    if (write) {
      Write();
    } else {
      Finish(end_status_);
    }
  }

  void OnCancel() override {
    End(grpc::Status(grpc::StatusCode::CANCELLED, "stream closed by the client"));
  }

  void OnDone() override {
    hub_->Remove(this);
    Unref();
  }

 private:
  ~Reactor() override = default;

  // Only the thread that set writing_ touches response_, until OnWriteDone.
  void Write() {
    response_.Clear();
    hub_->fill_(&response_);
    StartWrite(&response_);
  }

  SnapshotWatchers* const hub_;
  std::atomic<int> refs_{1};
  concurrency::Mutex mu_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool stale_ ABSL_GUARDED_BY(mu_) = false;
  bool ending_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status end_status_;  // set once, with ending_, before the one Finish reads it
  v1::WatchSnapshotsResponse response_;
};

grpc::ServerWriteReactor<v1::WatchSnapshotsResponse>* SnapshotWatchers::Open() {
  auto* reactor = new Reactor(this);
  bool closed = false;
  {
    concurrency::MutexLock lock(mu_);
    closed = closed_;
    open_.insert(reactor);
  }
  if (closed) {
    reactor->End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "ingest is stopping"));
  } else {
    reactor->Notify();
  }
  return reactor;
}

std::vector<SnapshotWatchers::Reactor*> SnapshotWatchers::Referenced() {
  concurrency::MutexLock lock(mu_);
  std::vector<Reactor*> streams(open_.begin(), open_.end());
  for (Reactor* reactor : streams) reactor->Ref();
  return streams;
}

void SnapshotWatchers::NotifyAll() {
  for (Reactor* reactor : Referenced()) {
    reactor->Notify();
    reactor->Unref();
  }
}

void SnapshotWatchers::Close() {
  {
    concurrency::MutexLock lock(mu_);
    closed_ = true;
  }
  for (Reactor* reactor : Referenced()) {
    reactor->End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "ingest is stopping"));
    reactor->Unref();
  }
  // The streams end as their last write completes; a client that stopped reading is cut off by
  // the server's own shutdown deadline instead.
  concurrency::MutexLock lock(mu_);
  all_done_.WaitFor(mu_, std::chrono::seconds(2),
                    [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return open_.empty(); });
}

size_t SnapshotWatchers::open_streams() const {
  concurrency::MutexLock lock(mu_);
  return open_.size();
}

void SnapshotWatchers::Remove(Reactor* reactor) {
  concurrency::MutexLock lock(mu_);
  open_.erase(reactor);
  if (open_.empty()) all_done_.NotifyAll();
}

}  // namespace churn::ingest_service
