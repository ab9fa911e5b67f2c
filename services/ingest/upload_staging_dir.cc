#include "upload_staging_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace churn::ingest_service {
namespace {

namespace fs = std::filesystem;

constexpr char kOwnerFile[] = ".owner";

absl::Status ErrnoError(const char* what, const std::string& path) {
  return absl::FailedPreconditionError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<UploadStagingDir>> UploadStagingDir::Create(const fs::path& parent) {
  std::string dir = (parent / absl::StrCat(kPrefix, ::getpid(), "-XXXXXX")).string();
  if (::mkdtemp(dir.data()) == nullptr) return ErrnoError("cannot create", dir);
  // Locked before it gets its name: another start never sees an unlocked ".owner" of a live
  // process (the lock belongs to the open file, so it survives the rename).
  const std::string locking = (fs::path(dir) / ".owner.new").string();
  const int fd = ::open(locking.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0 ||
      ::rename(locking.c_str(), (fs::path(dir) / kOwnerFile).c_str()) != 0) {
    absl::Status error = ErrnoError("cannot lock", locking);
    if (fd >= 0) ::close(fd);
    std::error_code ignored;
    fs::remove_all(dir, ignored);
    return error;
  }
  return std::unique_ptr<UploadStagingDir>(new UploadStagingDir(dir, fd));
}

std::vector<std::string> UploadStagingDir::RemoveAbandoned(const fs::path& parent) {
  std::vector<std::string> removed;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(parent, error)) {
    if (!absl::StartsWith(entry.path().filename().string(), kPrefix)) continue;
    std::error_code not_dir;
    if (!entry.is_directory(not_dir) || entry.is_symlink(not_dir)) continue;
    // Only a folder of this user: in a shared temp dir another user's look-alike is not ours to
    // remove (nor a way to make this process delete what that user points it at).
    struct stat folder {};
    if (::lstat(entry.path().c_str(), &folder) != 0 || folder.st_uid != ::geteuid()) continue;
    const int fd = ::open((entry.path() / kOwnerFile).c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) continue;
    // Free: its owner is gone. Held while removing, so two starts never remove it together.
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      std::error_code ignored;
      fs::remove_all(entry.path(), ignored);
      removed.push_back(entry.path().string());
    }
    ::close(fd);
  }
  return removed;
}

UploadStagingDir::~UploadStagingDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
  ::close(lock_fd_);
}

}  // namespace churn::ingest_service
