#pragma once
// FolderWatcher: polls a data folder and reports when its CSV files changed and then stayed
// unchanged for one more poll (debounced), so a reload never reads a file that is still being
// copied. Polling rather than inotify: it works the same on bind mounts, network and container
// volumes, and a poll of a handful of files costs microseconds.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "concurrency/mutex.h"

namespace churn::snapshots {

// What a poll sees of a folder: its *.csv regular files with size, mtime and inode (an atomic
// rename-over changes the inode even when size and mtime match).
struct FolderState {
  struct File {
    std::string name;
    int64_t size = 0;
    int64_t mtime_ns = 0;
    uint64_t inode = 0;
    bool operator==(const File&) const = default;
  };
  bool exists = false;
  std::vector<File> files;  // sorted by name
  bool operator==(const FolderState&) const = default;
};

FolderState ScanFolder(const std::string& dir);

class FolderWatcher {
 public:
  // Called on the watcher's thread with the folder that changed; a reload belongs here.
  using OnChange = std::function<void(const std::string& dir)>;

  FolderWatcher(std::string dir, std::chrono::milliseconds interval, OnChange on_change);
  ~FolderWatcher();  // Stop()
  FolderWatcher(const FolderWatcher&) = delete;
  FolderWatcher& operator=(const FolderWatcher&) = delete;

  // Takes the folder's state now as the baseline and starts polling.
  void Start();
  // Waits for a running callback to return. Idempotent; must not be called from the callback.
  void Stop();
  // Watches another folder from now on (its current state is the new baseline).
  void SetDirectory(std::string dir);
  std::string directory() const;

  // Callbacks made so far (stable changes seen); for tests and logs.
  int64_t changes_reported() const;

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);

  const std::chrono::milliseconds interval_;
  const OnChange on_change_;
  mutable concurrency::Mutex mu_;
  concurrency::CondVar wake_;
  std::string dir_ ABSL_GUARDED_BY(mu_);
  FolderState baseline_ ABSL_GUARDED_BY(mu_);
  std::optional<FolderState> pending_ ABSL_GUARDED_BY(mu_);  // a change not yet stable
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t changes_reported_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace churn::snapshots
