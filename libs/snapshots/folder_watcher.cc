#include "snapshots/folder_watcher.h"

#include <sys/stat.h>

#include <algorithm>
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

FolderWatcher::FolderWatcher(std::string dir, std::chrono::milliseconds interval,
                             OnChange on_change)
    : interval_(std::max(interval, std::chrono::milliseconds(1))),
      on_change_(std::move(on_change)),
      dir_(std::move(dir)) {}

FolderWatcher::~FolderWatcher() { Stop(); }

void FolderWatcher::Start() {
  concurrency::MutexLock lock(mu_);
  if (thread_.joinable() || stopping_) return;
  baseline_ = ScanFolder(dir_);
  thread_ = std::thread([this] { Run(); });
}

void FolderWatcher::Stop() {
  {
    concurrency::MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

void FolderWatcher::SetDirectory(std::string dir) {
  FolderState state = ScanFolder(dir);
  concurrency::MutexLock lock(mu_);
  dir_ = std::move(dir);
  baseline_ = std::move(state);
  pending_.reset();
}

std::string FolderWatcher::directory() const {
  concurrency::MutexLock lock(mu_);
  return dir_;
}

int64_t FolderWatcher::changes_reported() const {
  concurrency::MutexLock lock(mu_);
  return changes_reported_;
}

void FolderWatcher::Run() {
  concurrency::MutexLock lock(mu_);
  while (true) {
    wake_.WaitFor(mu_, interval_,
                  [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; });
    if (stopping_) return;
    const std::string dir = dir_;
    lock.Unlock();
    FolderState state = ScanFolder(dir);
    lock.Lock();
    if (stopping_) return;
    if (dir != dir_) continue;  // SetDirectory ran meanwhile: this scan is stale
    if (state == baseline_) {
      pending_.reset();  // changed and changed back: nothing to load
      continue;
    }
    if (!pending_ || !(*pending_ == state)) {
      pending_ = std::move(state);  // still changing: wait one more period
      continue;
    }
    baseline_ = std::move(state);
    pending_.reset();
    ++changes_reported_;
    lock.Unlock();
    on_change_(dir);
    lock.Lock();
  }
}

}  // namespace churn::snapshots
