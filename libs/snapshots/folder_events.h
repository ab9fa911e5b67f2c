#pragma once
// FolderEvents: the kernel's file events (Linux inotify) for the *.csv files of one folder, so the
// folder watcher learns of a change when it happens instead of at its next poll. It tells a
// finished change (a file closed after writing, or renamed into the folder) from one still under
// way (a file written but not closed yet, or removed and not put back), so a reload can start at
// once for the first and wait for the second to settle.
//
// Best effort by design: elsewhere than Linux, past the watch limit, for a folder that does not
// exist yet, or on a network file system (changes made on another host raise no event) it sees
// nothing, and the watcher's poll remains the safety net. Symlinked files are seen when the link
// itself changes, not when its target does.
//
// Not thread-safe, except Wake(): the watcher's thread owns it.

#include <chrono>
#include <set>
#include <string>

namespace churn::snapshots {

class FolderEvents {
 public:
  struct Batch {
    bool changed = false;    // some *.csv file was created, written, renamed or removed
    bool completed = false;  // ... and one was closed after writing or renamed into the folder
    bool rescan = false;     // events were lost, or the folder itself was removed or moved
    bool woken = false;      // Wake() was called
  };

  FolderEvents();  // available() is false when the platform or the kernel refuses
  ~FolderEvents();
  FolderEvents(const FolderEvents&) = delete;
  FolderEvents& operator=(const FolderEvents&) = delete;

  bool available() const { return notify_fd_ >= 0; }
  // Watches `dir` from now on instead of the previous folder. False when it cannot (no such
  // folder, the watch limit): try again later.
  bool Watch(const std::string& dir);
  bool watching() const { return watch_ >= 0; }
  // Waits up to `timeout` for events or a Wake(), and reads every event queued by then.
  Batch Wait(std::chrono::milliseconds timeout);
  // Makes the current or next Wait() return at once. Thread-safe.
  void Wake();
  // Files written and not closed yet, or removed and not put back, since they were last seen
  // complete: a reload now could read a half-written table or miss one.
  bool unsettled() const { return !writing_.empty() || !removed_.empty(); }

 private:
  void Unwatch();

  int notify_fd_ = -1;
  int wake_fd_ = -1;
  int watch_ = -1;
  std::string dir_;
  std::set<std::string> writing_;
  std::set<std::string> removed_;
};

}  // namespace churn::snapshots
