#pragma once
// Ingest's private upload staging folder when no uploads_dir is configured:
// <temp dir>/churn-ingest-uploads-<pid>-XXXXXX (the temp dir is $TMPDIR, else /tmp). It is removed
// when the service stops. While its process lives, the folder's ".owner" file is locked (flock);
// a process that died without stopping (crash, SIGKILL) leaves its folder unlocked, and the next
// start removes it, so a crash leaves at most that one folder, and only until the next start.

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace churn::ingest_service {

class UploadStagingDir {
 public:
  static constexpr char kPrefix[] = "churn-ingest-uploads-";

  // Creates and locks a fresh folder under `parent`.
  static absl::StatusOr<std::unique_ptr<UploadStagingDir>> Create(
      const std::filesystem::path& parent);
  // Removes the staging folders under `parent` whose owner is gone; returns their paths. Folders
  // without an ".owner" file (a folder being created, or not ours) are left alone.
  static std::vector<std::string> RemoveAbandoned(const std::filesystem::path& parent);

  ~UploadStagingDir();  // removes the folder, then releases the lock
  UploadStagingDir(const UploadStagingDir&) = delete;
  UploadStagingDir& operator=(const UploadStagingDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  UploadStagingDir(std::string path, int lock_fd) : path_(std::move(path)), lock_fd_(lock_fd) {}

  std::string path_;
  int lock_fd_;
};

}  // namespace churn::ingest_service
