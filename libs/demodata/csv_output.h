#pragma once
// A CSV file written through one large buffer: rows are appended as text and flushed with fwrite in
// ~1 MiB blocks, so tens of millions of rows cost a few thousand writes. The data goes to
// "<name>.tmp" and is renamed into place by Publish(), so a failed run never leaves a half-written
// table under the real name.

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace churn::demodata {

class CsvOutput {
 public:
  CsvOutput() = default;
  CsvOutput(const CsvOutput&) = delete;
  CsvOutput& operator=(const CsvOutput&) = delete;
  ~CsvOutput();  // removes the temporary file unless published

  // Creates "<path>.tmp" for writing.
  absl::Status Open(const std::filesystem::path& path);

  // Raw text: the caller guarantees it needs no CSV quoting.
  void Text(std::string_view text) { buffer_.append(text); }
  void Char(char c) { buffer_.push_back(c); }
  void Comma() { buffer_.push_back(','); }
  void Bool(bool value) { buffer_.append(value ? "True" : "False"); }
  void Int(int64_t value) {
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof(digits), value);
    buffer_.append(digits, result.ptr);
  }
  // Any text, quoted per RFC 4180 when it contains a comma, quote, CR or LF.
  void Field(std::string_view text);
  // Ends the row; flushes when the buffer is full. Write errors are kept for Close().
  void EndRow() {
    buffer_.push_back('\n');
    if (buffer_.size() >= kFlushThreshold) Flush();
  }
  // Direct access for formatters that append themselves (dates).
  std::string& buffer() { return buffer_; }

  // Flushes and closes "<path>.tmp"; returns the first error seen while writing.
  absl::Status Close();
  // Renames "<path>.tmp" to "<path>" after a successful Close(). Closing every table before
  // publishing any of them keeps a failed run from mixing old and new tables.
  absl::Status Publish();

  int64_t bytes_written() const { return bytes_written_; }

 private:
  static constexpr size_t kFlushThreshold = size_t{1} << 20;

  void Flush();

  std::filesystem::path path_;
  std::filesystem::path temp_path_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
  int64_t bytes_written_ = 0;
  absl::Status status_;
  bool published_ = false;
};

}  // namespace churn::demodata
