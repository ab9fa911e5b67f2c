#include "demodata/csv_output.h"

#include <cerrno>
#include <cstring>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace churn::demodata {

CsvOutput::~CsvOutput() {
  if (file_ != nullptr) std::fclose(file_);
  if (!published_ && !temp_path_.empty()) {
    std::error_code ignored;
    std::filesystem::remove(temp_path_, ignored);
  }
}

absl::Status CsvOutput::Open(const std::filesystem::path& path) {
  path_ = path;
  temp_path_ = path;
  temp_path_ += ".tmp";
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (file_ == nullptr) {
    const int error = errno;
    temp_path_.clear();  // nothing of ours to clean up
    return absl::ErrnoToStatus(error, absl::StrCat("cannot create ", path.string()));
  }
  buffer_.reserve(kFlushThreshold + 4096);
  return absl::OkStatus();
}

void CsvOutput::Field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    buffer_.append(text);
    return;
  }
  buffer_.push_back('"');
  for (char c : text) {
    if (c == '"') buffer_.push_back('"');  // a quote inside a quoted field is doubled
    buffer_.push_back(c);
  }
  buffer_.push_back('"');
}

void CsvOutput::Flush() {
  if (buffer_.empty()) return;
  if (status_.ok() && file_ != nullptr) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
      status_ = absl::ErrnoToStatus(errno, absl::StrCat("cannot write ", temp_path_.string()));
    } else {
      bytes_written_ += static_cast<int64_t>(buffer_.size());
    }
  }
  buffer_.clear();
}

absl::Status CsvOutput::Close() {
  if (file_ == nullptr) return absl::FailedPreconditionError("CsvOutput::Close without Open");
  Flush();
  const bool close_failed = std::fclose(file_) != 0;
  const int close_error = errno;
  file_ = nullptr;
  if (!status_.ok()) return status_;
  if (close_failed) {
    return absl::ErrnoToStatus(close_error, absl::StrCat("cannot write ", temp_path_.string()));
  }
  return absl::OkStatus();
}

absl::Status CsvOutput::Publish() {
  if (file_ != nullptr || temp_path_.empty() || !status_.ok()) {
    return absl::FailedPreconditionError("CsvOutput::Publish without a successful Close");
  }
  std::error_code error;
  std::filesystem::rename(temp_path_, path_, error);
  if (error) {
    return absl::InternalError(absl::StrCat("cannot rename ", temp_path_.string(), " to ",
                                            path_.string(), ": ", error.message()));
  }
  published_ = true;
  return absl::OkStatus();
}

}  // namespace churn::demodata
