#include "snapshots/folder_events.h"

#include <algorithm>
#include <string_view>

#if defined(__linux__)
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#endif

namespace churn::snapshots {
namespace {

[[maybe_unused]] bool IsTableFile(std::string_view name) {
  return name.size() > 4 && name.substr(name.size() - 4) == ".csv";
}

}  // namespace

#if defined(__linux__)

FolderEvents::FolderEvents() {
  notify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (notify_fd_ < 0) return;
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    ::close(notify_fd_);
    notify_fd_ = -1;
  }
}

FolderEvents::~FolderEvents() {
  if (notify_fd_ >= 0) ::close(notify_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void FolderEvents::Unwatch() {
  if (watch_ >= 0) ::inotify_rm_watch(notify_fd_, watch_);
  watch_ = -1;
  writing_.clear();
  removed_.clear();
}

bool FolderEvents::Watch(const std::string& dir) {
  if (!available()) return false;
  Unwatch();
  dir_ = dir;
  constexpr uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MODIFY | IN_CREATE | IN_DELETE |
                             IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
  watch_ = ::inotify_add_watch(notify_fd_, dir.c_str(), kMask);
  return watch_ >= 0;
}

FolderEvents::Batch FolderEvents::Wait(std::chrono::milliseconds timeout) {
  Batch batch;
  if (!available()) return batch;
  std::array<pollfd, 2> fds{{{notify_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}}};
  const int ready =
      ::poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(0, timeout.count())));
  if (ready <= 0) return batch;
  if (fds[1].revents & POLLIN) {
    uint64_t count = 0;
    (void)!::read(wake_fd_, &count, sizeof(count));
    batch.woken = true;
  }
  // Events are whole records; the buffer is aligned for them (inotify(7)).
  alignas(inotify_event) std::array<char, 16384> buffer;
  while (true) {
    const ssize_t got = ::read(notify_fd_, buffer.data(), buffer.size());
    if (got <= 0) break;  // EAGAIN: all read
    for (ssize_t at = 0; at < got;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer.data() + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      if (event->mask & IN_Q_OVERFLOW) {
        batch.rescan = true;
        continue;
      }
      if (event->wd != watch_) continue;  // a folder watched before
      if (event->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
        batch.rescan = true;
        if (event->mask & IN_IGNORED) watch_ = -1;
        continue;
      }
      const std::string name = event->len > 0 ? std::string(event->name) : std::string();
      if (!IsTableFile(name)) continue;
      batch.changed = true;
      if (event->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) {
        batch.completed = true;
        writing_.erase(name);
        removed_.erase(name);
      } else if (event->mask & (IN_DELETE | IN_MOVED_FROM)) {
        writing_.erase(name);
        removed_.insert(name);
      } else if (event->mask & IN_CREATE) {
        removed_.erase(name);
        // A new symlink is complete as it is; a new file is being written.
        struct stat info;
        const std::string path = dir_ + "/" + name;
        if (::lstat(path.c_str(), &info) == 0 && S_ISLNK(info.st_mode)) {
          batch.completed = true;
        } else {
          writing_.insert(name);
        }
      } else if (event->mask & IN_MODIFY) {
        writing_.insert(name);
      }
    }
  }
  if (!watching()) {
    writing_.clear();
    removed_.clear();
  }
  return batch;
}

void FolderEvents::Wake() {
  if (wake_fd_ < 0) return;
  const uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof(one));
}

#else  // no kernel file events: the watcher polls

FolderEvents::FolderEvents() = default;
FolderEvents::~FolderEvents() = default;
void FolderEvents::Unwatch() {}
bool FolderEvents::Watch(const std::string&) { return false; }
FolderEvents::Batch FolderEvents::Wait(std::chrono::milliseconds) { return {}; }
void FolderEvents::Wake() {}

#endif

}  // namespace churn::snapshots
