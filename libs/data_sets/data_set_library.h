#pragma once
// DataSetLibrary: the named data sets under one uploads root, one folder each
// (<root>/<name>/accounts.csv, ...). Uploads are staged in "<root>/.staging-*" folders, never
// listed; a data set appears only once it has been validated in full and moved into place with
// one rename, so a reader never sees half a data set.
//
// Thread-safe: uploads stage in parallel; the final check-and-rename runs one at a time.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "concurrency/mutex.h"
#include "data_sets/zip_extractor.h"
#include "dataset/loader.h"

namespace churn::data_sets {

struct DataSetLimits {
  int64_t max_upload_bytes = int64_t{256} << 20;  // bytes sent for one data set (files or zip)
  int64_t max_files = 16;                         // files sent for one data set
  ZipLimits zip;
};

struct DataSetInfo {
  std::string name;
  std::string path;                // the folder (server side only: never shown to callers)
  std::vector<std::string> files;  // its CSV files, sorted
  int64_t bytes = 0;
  absl::Time created_at;
};

class DataSetUpload;

class DataSetLibrary {
 public:
  DataSetLibrary(std::string root, DataSetLimits limits, dataset::LoadOptions load);
  ~DataSetLibrary();

  // Creates the root and removes staging folders an earlier process left behind.
  absl::Status Init();

  // A new upload named `name` (INVALID_ARGUMENT for a bad name, ALREADY_EXISTS when taken).
  absl::StatusOr<std::unique_ptr<DataSetUpload>> BeginUpload(absl::string_view name);

  // The data sets in place, by name.
  std::vector<DataSetInfo> List() const;
  // NOT_FOUND when there is none by that name.
  absl::StatusOr<DataSetInfo> Find(absl::string_view name) const;

  const std::string& root() const { return root_; }
  const DataSetLimits& limits() const { return limits_; }

 private:
  friend class DataSetUpload;
  // Validates `staging_dir` as a data folder and renames it to the data set `name`.
  absl::StatusOr<DataSetInfo> Commit(const std::string& staging_dir, const std::string& name);

  const std::string root_;
  const DataSetLimits limits_;
  const dataset::LoadOptions load_;
  concurrency::Mutex commit_mu_;  // name check and rename as one step
};

// Reads a data set folder as the data folder loader does: every table, every value. Errors name
// the file (without the folder), line and column.
absl::Status ValidateDataFolder(const std::string& dir, const dataset::LoadOptions& load);

}  // namespace churn::data_sets
