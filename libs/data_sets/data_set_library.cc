#include "data_sets/data_set_library.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "data_sets/data_set_name.h"
#include "data_sets/data_set_upload.h"

namespace churn::data_sets {
namespace {

namespace fs = std::filesystem;

constexpr absl::string_view kStagingPrefix = ".staging-";

std::string RandomSuffix() {
  std::random_device random;
  return absl::StrFormat("%08x%08x", random(), random());
}

// The folder's CSV files, their total size and its modification time.
DataSetInfo Describe(const fs::path& dir) {
  DataSetInfo info;
  info.name = dir.filename().string();
  info.path = dir.string();
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    if (!entry.is_regular_file(error)) continue;
    const std::string name = entry.path().filename().string();
    if (!absl::EndsWithIgnoreCase(name, ".csv")) continue;
    info.files.push_back(name);
    info.bytes += static_cast<int64_t>(entry.file_size(error));
  }
  std::sort(info.files.begin(), info.files.end());
  struct stat st {};
  if (::stat(info.path.c_str(), &st) == 0) info.created_at = absl::FromTimeT(st.st_mtime);
  return info;
}

}  // namespace

absl::Status ValidateDataFolder(const std::string& dir, const dataset::LoadOptions& load) {
  absl::StatusOr<dataset::DataFiles> files = dataset::FindDataFiles(dir);
  absl::Status status = files.status();
  if (status.ok()) status = dataset::LoadDataset(*files, load, /*usage_sink=*/nullptr).status();
  if (status.ok()) return status;
  // The uploader knows its files by name; the server's folders stay out of the message.
  const std::string folder = fs::path(dir).lexically_normal().string();
  std::string message = absl::StrReplaceAll(status.message(), {{folder + "/", ""}});
  message = absl::StrReplaceAll(message, {{folder, "the data set"}});
  return absl::Status(status.code(), message);
}

DataSetLibrary::DataSetLibrary(std::string root, DataSetLimits limits, dataset::LoadOptions load)
    : root_(std::move(root)), limits_(limits), load_(load) {}

DataSetLibrary::~DataSetLibrary() = default;

absl::Status DataSetLibrary::Init() {
  std::error_code error;
  fs::create_directories(root_, error);
  if (error || !fs::is_directory(root_, error)) {
    return absl::FailedPreconditionError(
        absl::StrCat("data_sets_dir ", root_, ": cannot create it: ", error.message()));
  }
  for (const fs::directory_entry& entry : fs::directory_iterator(root_, error)) {
    if (absl::StartsWith(entry.path().filename().string(), kStagingPrefix)) {
      std::error_code ignored;
      fs::remove_all(entry.path(), ignored);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<DataSetUpload>> DataSetLibrary::BeginUpload(absl::string_view name) {
  if (absl::Status s = CheckDataSetName(name); !s.ok()) return s;
  std::error_code error;
  if (fs::exists(fs::path(root_) / std::string(name), error)) {
    return absl::AlreadyExistsError(
        absl::StrCat("name: a data set named '", name, "' exists already; choose another name"));
  }
  const fs::path staging = fs::path(root_) / absl::StrCat(kStagingPrefix, RandomSuffix());
  if (!fs::create_directory(staging, error) || error) {
    return absl::InternalError(absl::StrCat("cannot create a staging folder in ", root_));
  }
  fs::permissions(staging, fs::perms::owner_all, fs::perm_options::replace, error);
  return std::unique_ptr<DataSetUpload>(
      new DataSetUpload(this, std::string(name), staging.string()));
}

absl::StatusOr<DataSetInfo> DataSetLibrary::Commit(const std::string& staging_dir,
                                                   const std::string& name) {
  if (absl::Status s = ValidateDataFolder(staging_dir, load_); !s.ok()) return s;
  const fs::path target = fs::path(root_) / name;
  concurrency::MutexLock lock(commit_mu_);
  std::error_code error;
  if (fs::exists(target, error)) {
    return absl::AlreadyExistsError(
        absl::StrCat("name: a data set named '", name, "' exists already; choose another name"));
  }
  fs::rename(staging_dir, target, error);
  if (error) return absl::InternalError(absl::StrCat("cannot move the data set into ", root_));
  return Describe(target);
}

std::vector<DataSetInfo> DataSetLibrary::List() const {
  std::vector<DataSetInfo> sets;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(root_, error)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory(error) || !CheckDataSetName(name).ok()) continue;
    sets.push_back(Describe(entry.path()));
  }
  std::sort(sets.begin(), sets.end(),
            [](const DataSetInfo& a, const DataSetInfo& b) { return a.name < b.name; });
  return sets;
}

absl::StatusOr<DataSetInfo> DataSetLibrary::Find(absl::string_view name) const {
  if (absl::Status s = CheckDataSetName(name); !s.ok()) return s;
  const fs::path dir = fs::path(root_) / std::string(name);
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    return absl::NotFoundError(absl::StrCat("name: no data set named '", name, "'"));
  }
  return Describe(dir);
}

}  // namespace churn::data_sets
