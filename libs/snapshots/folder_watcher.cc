#include "snapshots/folder_watcher.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <filesystem>
#include <utility>

namespace churn::snapshots {

namespace fs = std::filesystem;

FolderState ScanFolder(const std::string& dir) {
  FolderState state;
  std::error_code error;
  fs::directory_iterator it(dir, error);
  if (error) return state;
  state.exists = true;
  for (const fs::directory_entry& entry : it) {
    if (entry.path().extension() != ".csv") continue;
    // stat() follows symlinks and gives inode and nanosecond mtime in one call.
    struct stat info;
    if (::stat(entry.path().c_str(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
    FolderState::File file;
    file.name = entry.path().filename().string();
    file.size = static_cast<int64_t>(info.st_size);
    file.mtime_ns = static_cast<int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 +
                    static_cast<int64_t>(info.st_mtim.tv_nsec);
    file.inode = static_cast<uint64_t>(info.st_ino);
    state.files.push_back(std::move(file));
  }
  std::sort(state.files.begin(), state.files.end(),
            [](const FolderState::File& a, const FolderState::File& b) { return a.name < b.name; });
  return state;
}

FolderWatcher::FolderWatcher(std::string dir, FolderWatcherOptions options, OnChange on_change)
    : options_([&] {
        options.interval = std::max(options.interval, std::chrono::milliseconds(1));
        return options;
      }()),
      on_change_(std::move(on_change)),
      dir_(std::move(dir)) {}

FolderWatcher::FolderWatcher(std::string dir, std::chrono::milliseconds interval,
                             OnChange on_change)
    : FolderWatcher(std::move(dir), FolderWatcherOptions{.interval = interval},
                    std::move(on_change)) {}

FolderWatcher::~FolderWatcher() { Stop(); }

void FolderWatcher::Start() {
  std::unique_ptr<FolderEvents> events;
  if (options_.file_events) {
    events = std::make_unique<FolderEvents>();
    if (!events->available()) events.reset();
  }
  concurrency::MutexLock lock(mu_);
  if (thread_.joinable() || stopping_) return;
  // The watch before the baseline: a change between the two is not missed.
  if (events) events->Watch(dir_);
  events_ = std::move(events);
  using_file_events_ = events_ != nullptr;
  baseline_ = ScanFolder(dir_);
  thread_ = std::thread([this] { events_ ? RunWithEvents() : RunPolling(); });
}

void FolderWatcher::Stop() {
  {
    concurrency::MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.NotifyAll();
  if (events_) events_->Wake();
  if (thread_.joinable()) thread_.join();
}

void FolderWatcher::SetDirectory(std::string dir) {
  FolderState state = ScanFolder(dir);
  {
    concurrency::MutexLock lock(mu_);
    dir_ = std::move(dir);
    baseline_ = std::move(state);
    pending_.reset();
    ++dir_generation_;
  }
  if (events_) events_->Wake();
}

std::string FolderWatcher::directory() const {
  concurrency::MutexLock lock(mu_);
  return dir_;
}

int64_t FolderWatcher::changes_reported() const {
  concurrency::MutexLock lock(mu_);
  return changes_reported_;
}

bool FolderWatcher::using_file_events() const {
  concurrency::MutexLock lock(mu_);
  return using_file_events_;
}

void FolderWatcher::RunPolling() {
  while (true) {
    {
      concurrency::MutexLock lock(mu_);
      wake_.WaitFor(mu_, options_.interval,
                    [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; });
      if (stopping_) return;
    }
    Poll();
  }
}

void FolderWatcher::RunWithEvents() {
  using Clock = std::chrono::steady_clock;
  FolderEvents& events = *events_;
  int64_t generation = 0;
  std::string dir;
  {
    concurrency::MutexLock lock(mu_);
    generation = dir_generation_;
    dir = dir_;
  }
  Clock::time_point next_poll = Clock::now() + options_.interval;
  // A change seen in the events and not reported yet: when it began and when it was last seen.
  bool unreported = false;
  Clock::time_point first_event, last_event;
  while (true) {
    {
      concurrency::MutexLock lock(mu_);
      if (stopping_) return;
      if (generation != dir_generation_) {  // SetDirectory: its scan is the new baseline
        generation = dir_generation_;
        dir = dir_;
        lock.Unlock();
        events.Watch(dir);
        unreported = false;
        continue;
      }
    }
    // A finished change is reported after a short quiet time, but not put off for ever by
    // finished changes that keep coming; one under way waits until it goes quiet.
    const auto report_at = [&] {
      return events.unsettled()
                 ? last_event + options_.settle
                 : std::min(last_event + options_.coalesce, first_event + options_.settle);
    };
    const Clock::time_point wake_at = unreported ? std::min(next_poll, report_at()) : next_poll;
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake_at - Clock::now());
    const FolderEvents::Batch batch = events.Wait(std::max(wait, std::chrono::milliseconds(0)));
    const Clock::time_point now = Clock::now();
    if (batch.changed || batch.rescan) {
      if (!unreported) first_event = now;
      unreported = true;
      last_event = now;
    }
    if (unreported && now >= report_at()) {
      unreported = false;
      ScanAndReport();
    }
    if (now >= next_poll) {
      if (!events.watching()) events.Watch(dir);  // the folder may exist by now
      Poll();
      next_poll = Clock::now() + options_.interval;
    }
  }
}

void FolderWatcher::Poll() {
  std::string dir;
  {
    concurrency::MutexLock lock(mu_);
    dir = dir_;
  }
  FolderState state = ScanFolder(dir);
  {
    concurrency::MutexLock lock(mu_);
    if (stopping_ || dir != dir_) return;  // SetDirectory ran meanwhile: this scan is stale
    if (state == baseline_) {
      pending_.reset();  // changed and changed back: nothing to load
      return;
    }
    if (!pending_ || !(*pending_ == state)) {
      pending_ = std::move(state);  // still changing: wait one more period
      return;
    }
  }
  Report(dir, std::move(state));
}

void FolderWatcher::ScanAndReport() {
  std::string dir;
  {
    concurrency::MutexLock lock(mu_);
    dir = dir_;
  }
  Report(dir, ScanFolder(dir));
}

void FolderWatcher::Report(const std::string& dir, FolderState state) {
  {
    concurrency::MutexLock lock(mu_);
    if (stopping_ || dir != dir_ || state == baseline_) return;
    baseline_ = std::move(state);
    pending_.reset();
    ++changes_reported_;
  }
  on_change_(dir);
}

}  // namespace churn::snapshots
