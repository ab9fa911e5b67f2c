#pragma once
// FolderWatcher: reports when the CSV files of a data folder changed, so the caller reloads.
//
// Two sources. The kernel's file events (folder_events.h, Linux inotify): a file closed after
// writing or renamed into place is reported once the folder has been quiet for `coalesce` (a
// burst of changes, several tables renamed one after another, is one report), a file still being
// written in place (or removed and not yet put back) only once it has been quiet for `settle`.
// And a poll every `interval`: a change is reported when it stayed unchanged for one more poll
// (debounced), so a reload never reads a file still being copied. The poll is the fallback where
// there are no events (other platforms, a network file system, the watch limit, a folder that does
// not exist yet) and a safety net beside them; a poll of a handful of files costs microseconds.
// Every report is checked against a scan of the folder (size, mtime, inode): events that leave
// the files as they were report nothing.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "concurrency/mutex.h"
#include "snapshots/folder_events.h"

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

struct FolderWatcherOptions {
  std::chrono::milliseconds interval{2000};  // the poll
  bool file_events = true;                   // also the kernel's file events, where there are any
  // Quiet time after a finished change (file closed or renamed into place) before reporting.
  std::chrono::milliseconds coalesce{5};
  // Quiet time after a change still under way (written in place and not closed, or removed).
  std::chrono::milliseconds settle{200};
};

class FolderWatcher {
 public:
  // Called on the watcher's thread with the folder that changed; a reload belongs here. Changes
  // made while it runs are reported once it has returned, as one.
  using OnChange = std::function<void(const std::string& dir)>;

  FolderWatcher(std::string dir, FolderWatcherOptions options, OnChange on_change);
  // Polls every `interval`, with the kernel's file events where there are any.
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
  // Whether the kernel's file events are in use (else only the poll); fixed by Start().
  bool using_file_events() const;

 private:
  // The poll alone, on the condition variable.
  void RunPolling() ABSL_LOCKS_EXCLUDED(mu_);
  // The file events, with the poll beside them.
  void RunWithEvents() ABSL_LOCKS_EXCLUDED(mu_);
  // One poll: reports a change seen in two polls in a row.
  void Poll() ABSL_LOCKS_EXCLUDED(mu_);
  // Scans now and reports when the folder differs from the baseline.
  void ScanAndReport() ABSL_LOCKS_EXCLUDED(mu_);
  // Makes `state` of `dir` the baseline and calls back, unless the folder was moved meanwhile.
  void Report(const std::string& dir, FolderState state) ABSL_LOCKS_EXCLUDED(mu_);

  const FolderWatcherOptions options_;
  const OnChange on_change_;
  mutable concurrency::Mutex mu_;
  concurrency::CondVar wake_;
  std::string dir_ ABSL_GUARDED_BY(mu_);
  FolderState baseline_ ABSL_GUARDED_BY(mu_);
  std::optional<FolderState> pending_ ABSL_GUARDED_BY(mu_);  // a change not yet stable
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t changes_reported_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t dir_generation_ ABSL_GUARDED_BY(mu_) = 0;  // +1 per SetDirectory
  bool using_file_events_ ABSL_GUARDED_BY(mu_) = false;
  // Created by Start() when options_.file_events; used by the watcher's thread only (and Wake()).
  std::unique_ptr<FolderEvents> events_;
  std::thread thread_;
};

}  // namespace churn::snapshots
