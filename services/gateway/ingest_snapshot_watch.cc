#include "ingest_snapshot_watch.h"

#include <algorithm>
#include <utility>

#include "common/logging.h"

namespace churn::gateway {

namespace {
constexpr std::chrono::milliseconds kFirstBackoff{100};
}  // namespace

IngestSnapshotWatch::IngestSnapshotWatch(std::shared_ptr<grpc::Channel> ingest,
                                         std::chrono::milliseconds backoff_max,
                                         std::function<void()> on_snapshot)
    : ingest_(v1::IngestService::NewStub(std::move(ingest))),
      backoff_max_(std::max(backoff_max, kFirstBackoff)),
      on_snapshot_(std::move(on_snapshot)) {}

IngestSnapshotWatch::~IngestSnapshotWatch() { Stop(); }

void IngestSnapshotWatch::Start() {
  thread_ = std::thread([this] { Run(); });
}

void IngestSnapshotWatch::Stop() {
  {
    concurrency::MutexLock lock(mu_);
    stop_ = true;
    if (open_ != nullptr) open_->TryCancel();
  }
  wake_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

int64_t IngestSnapshotWatch::streams_opened() const {
  concurrency::MutexLock lock(mu_);
  return streams_opened_;
}

void IngestSnapshotWatch::Run() {
  std::chrono::milliseconds backoff = kFirstBackoff;
  while (true) {
    bool heard = false;
    if (!WatchOnce(&heard)) return;
    // A stream that delivered was healthy: the next failure starts the backoff again.
    backoff = heard ? kFirstBackoff : std::min(backoff * 2, backoff_max_);
    if (!Pause(backoff)) return;
  }
}

bool IngestSnapshotWatch::WatchOnce(bool* heard) {
  grpc::ClientContext context;
  {
    concurrency::MutexLock lock(mu_);
    if (stop_) return false;
    open_ = &context;  // a Stop() from here on cancels it, even before the call starts
    ++streams_opened_;
  }
  std::unique_ptr<grpc::ClientReader<v1::WatchSnapshotsResponse>> reader =
      ingest_->WatchSnapshots(&context, v1::WatchSnapshotsRequest());
  v1::WatchSnapshotsResponse message;
  while (reader->Read(&message)) {
    *heard = true;
    on_snapshot_();
  }
  const grpc::Status status = reader->Finish();
  concurrency::MutexLock lock(mu_);
  open_ = nullptr;
  if (stop_) return false;
  if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
    service::LogInfo("ingest_snapshot_watch_unsupported",
                     {{"detail", "ingest has no WatchSnapshots: the poll alone follows it"}});
    return false;
  }
  return true;
}

bool IngestSnapshotWatch::Pause(std::chrono::milliseconds pause) {
  concurrency::MutexLock lock(mu_);
  const auto stopped = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
  return !wake_.WaitFor(mu_, pause, stopped);
}

}  // namespace churn::gateway
