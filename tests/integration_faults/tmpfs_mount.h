#pragma once
// A small tmpfs mounted for one test (the outcome log's file system, to fill it or make it
// read-only), unmounted when the object goes. Mounting needs CAP_SYS_ADMIN: the tests run as root
// locally and in CI; elsewhere they skip, except under CI=true, where they fail.

#include <sys/mount.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace churn::testing {

class TmpfsMount {
 public:
  TmpfsMount() = default;
  ~TmpfsMount() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  absl::Status Mount(const std::filesystem::path& dir, const std::string& size) {
    std::filesystem::create_directories(dir);
    dir_ = dir.string();
    const std::string options = "size=" + size + ",mode=0755";
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      return absl::PermissionDeniedError(
          absl::StrCat("mount -t tmpfs on ", dir_, ": ", std::strerror(errno)));
    }
    mounted_ = true;
    return absl::OkStatus();
  }

  // Fails with EBUSY while a process holds a file of it open for writing.
  absl::Status Remount(bool read_only) {
    const unsigned long flags = MS_REMOUNT | (read_only ? MS_RDONLY : 0);
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", flags, nullptr) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("remount ", read_only ? "ro" : "rw", ": ", std::strerror(errno)));
    }
    return absl::OkStatus();
  }

 private:
  std::string dir_;
  bool mounted_ = false;
};

inline bool RunningInCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

}  // namespace churn::testing
