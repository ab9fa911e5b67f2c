#pragma once
// One data set being uploaded: files arrive one after another (StartFile, then Append its
// bytes), either the five tables as CSV files or a single zip holding them. Finish() takes the
// tables out of the zip, validates the folder in full and moves it into place as the named data
// set. Whatever fails, or a destroyed upload that was never finished, leaves nothing behind.

#include <cstdint>
#include <fstream>
#include <string>

#include "absl/strings/string_view.h"

#include <vector>

#include "absl/status/statusor.h"
#include "data_sets/data_set_library.h"

namespace churn::data_sets {

class DataSetUpload {
 public:
  ~DataSetUpload();  // removes the staging folder unless the data set was committed
  DataSetUpload(const DataSetUpload&) = delete;
  DataSetUpload& operator=(const DataSetUpload&) = delete;

  const std::string& name() const { return name_; }
  int64_t bytes_received() const { return bytes_received_; }

  // The next file: "*.csv" (one of the tables) or "*.zip" (then the only file).
  absl::Status StartFile(absl::string_view file_name);
  // More bytes of the current file (RESOURCE_EXHAUSTED past max_upload_bytes).
  absl::Status Append(absl::string_view bytes);
  // Validates and publishes the data set. Call once.
  absl::StatusOr<DataSetInfo> Finish();

 private:
  friend class DataSetLibrary;
  DataSetUpload(DataSetLibrary* library, std::string name, std::string staging_dir);
  absl::Status CloseCurrent();

  DataSetLibrary* const library_;
  const std::string name_;
  const std::string staging_dir_;
  std::vector<std::string> files_;  // staged file names, in order
  std::ofstream current_;
  std::string zip_path_;  // set when the upload is a zip
  int64_t bytes_received_ = 0;
  bool finished_ = false;
  bool committed_ = false;
};

}  // namespace churn::data_sets
