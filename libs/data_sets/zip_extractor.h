#pragma once
// Takes the CSV tables out of an uploaded zip (untrusted bytes, parsed by libzip) into a folder.
//
// Only entries whose file name ends in ".csv" are written, each under its last path part made
// safe (auth::SafeUploadFileName), so the folders inside the zip never become folders here and
// no entry can write outside `dest_dir`. Directory entries, other files and hidden ones
// (".DS_Store", "__MACOSX/...") are skipped. Refused (nothing is kept by the caller): more than
// max_entries entries, an entry name that is absolute, holds "..", a backslash or a drive colon,
// deeper than max_depth folders, two tables with the same file name, an encrypted or unreadable
// entry, and more than max_inflated_bytes written in all, counted as the bytes come out (the
// sizes the zip declares are checked first but never trusted).

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

#include <vector>

#include "absl/status/statusor.h"

namespace churn::data_sets {

struct ZipLimits {
  int64_t max_entries = 64;                       // entries of any kind, folders included
  int64_t max_inflated_bytes = int64_t{1} << 30;  // written in all
  int max_depth = 8;                              // folders above an entry
};

struct ExtractedFile {
  std::string name;        // the file name written in dest_dir
  std::string entry_name;  // the entry's name inside the zip
  int64_t bytes = 0;
};

// `dest_dir` must exist; files already there are never overwritten (EXCL). On an error some
// files may have been written: the caller discards the folder.
absl::StatusOr<std::vector<ExtractedFile>> ExtractZipFile(const std::string& zip_path,
                                                          const std::string& dest_dir,
                                                          const ZipLimits& limits);
absl::StatusOr<std::vector<ExtractedFile>> ExtractZipBytes(absl::string_view zip_bytes,
                                                           const std::string& dest_dir,
                                                           const ZipLimits& limits);

// The reason an entry name is refused, or OK (exposed for tests and the fuzzer).
absl::Status CheckZipEntryName(absl::string_view entry_name, int max_depth);

}  // namespace churn::data_sets
