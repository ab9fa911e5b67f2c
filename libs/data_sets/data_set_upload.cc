#include "data_sets/data_set_upload.h"

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "auth/upload_file_name.h"

namespace churn::data_sets {
namespace {

namespace fs = std::filesystem;

}  // namespace

DataSetUpload::DataSetUpload(DataSetLibrary* library, std::string name, std::string staging_dir)
    : library_(library), name_(std::move(name)), staging_dir_(std::move(staging_dir)) {}

DataSetUpload::~DataSetUpload() {
  if (current_.is_open()) current_.close();
  if (!committed_) {
    std::error_code ignored;
    fs::remove_all(staging_dir_, ignored);
  }
}

absl::Status DataSetUpload::CloseCurrent() {
  if (!current_.is_open()) return absl::OkStatus();
  current_.close();
  if (current_.fail()) return absl::InternalError("cannot write the staged upload");
  return absl::OkStatus();
}

absl::Status DataSetUpload::StartFile(absl::string_view file_name) {
  if (finished_) return absl::FailedPreconditionError("the upload is finished");
  const std::string name =
      auth::SafeUploadFileName(std::string_view(file_name.data(), file_name.size()));
  const bool zip = absl::EndsWithIgnoreCase(name, ".zip");
  if (!zip && !absl::EndsWithIgnoreCase(name, ".csv")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "file_name: '", name, "': send the five tables as .csv files, or one .zip of them"));
  }
  if (!zip_path_.empty() || (zip && !files_.empty())) {
    return absl::InvalidArgumentError(
        "file_name: a zip must be the only file of its upload (or send the .csv files alone)");
  }
  if (static_cast<int64_t>(files_.size()) >= library_->limits().max_files) {
    return absl::ResourceExhaustedError(
        absl::StrCat("files: at most ", library_->limits().max_files, " files per data set"));
  }
  for (const std::string& staged : files_) {
    if (staged == name) {
      return absl::InvalidArgumentError(absl::StrCat("file_name: '", name, "' was sent twice"));
    }
  }
  if (absl::Status s = CloseCurrent(); !s.ok()) return s;
  const std::string path = (fs::path(staging_dir_) / name).string();
  current_.open(path, std::ios::binary | std::ios::trunc);
  if (!current_) return absl::InternalError("cannot stage the upload");
  files_.push_back(name);
  if (zip) zip_path_ = path;
  return absl::OkStatus();
}

absl::Status DataSetUpload::Append(absl::string_view bytes) {
  if (!current_.is_open()) {
    return absl::InvalidArgumentError("file_name: each file's bytes must follow its name");
  }
  bytes_received_ += static_cast<int64_t>(bytes.size());
  if (bytes_received_ > library_->limits().max_upload_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat("the data set exceeds the upload limit of ",
                                                     library_->limits().max_upload_bytes,
                                                     " bytes"));
  }
  current_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!current_) return absl::InternalError("cannot write the staged upload");
  return absl::OkStatus();
}

absl::StatusOr<DataSetInfo> DataSetUpload::Finish() {
  if (finished_) return absl::FailedPreconditionError("the upload is finished");
  finished_ = true;
  if (absl::Status s = CloseCurrent(); !s.ok()) return s;
  if (files_.empty()) return absl::InvalidArgumentError("files: none were sent");
  if (!zip_path_.empty()) {
    absl::StatusOr<std::vector<ExtractedFile>> extracted =
        ExtractZipFile(zip_path_, staging_dir_, library_->limits().zip);
    std::error_code ignored;
    fs::remove(zip_path_, ignored);
    if (!extracted.ok()) {
      return absl::Status(extracted.status().code(),
                          absl::StrCat(files_.front(), ": ", extracted.status().message()));
    }
  }
  absl::StatusOr<DataSetInfo> info = library_->Commit(staging_dir_, name_);
  if (info.ok()) committed_ = true;
  return info;
}

}  // namespace churn::data_sets
