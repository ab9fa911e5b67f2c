#pragma once
// TicketSetCatalog: the ticket text sets the service offers, i.e. every *.csv file of a tickets
// folder plus the sets users uploaded (held in memory, newest replacing one of the same name).
// Folder files are parsed once and re-parsed only when their size, mtime or inode changes, so
// listing stays cheap with multi-megabyte exports.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "concurrency/mutex.h"
#include "tickets/ticket_set.h"

namespace churn::snapshots {

struct TicketSetEntry {
  std::string name;  // the folder file's name, or the name given at upload
  std::string file;  // the path read (folder sets) or the uploaded file's original name
  bool uploaded = false;
  // Null when the file could not be parsed; `error` says why (file:line:col).
  std::shared_ptr<const tickets::TicketSet> set;
  std::string error;
};

struct TicketCatalogOptions {
  std::string tickets_dir;  // empty: no folder, uploads only
  tickets::TicketSetOptions parse;
  size_t max_uploaded_sets = 16;  // the oldest upload is dropped beyond this
};

class TicketSetCatalog {
 public:
  explicit TicketSetCatalog(TicketCatalogOptions options);

  // Folder sets sorted by name, then uploaded sets, oldest first. Re-scans the folder.
  std::vector<TicketSetEntry> List();
  // An uploaded set of that name wins over a folder file of the same name (it is newer intent).
  std::optional<TicketSetEntry> Find(std::string_view name);
  // Parses the CSV at `path` (already written by the caller) and keeps it under `name`.
  // A file that cannot be parsed is an error naming `file_name`, line and column.
  absl::StatusOr<TicketSetEntry> AddUploaded(std::string name, const std::string& path,
                                             std::string file_name);

 private:
  struct CachedFile {
    int64_t size = 0;
    int64_t mtime_ns = 0;
    uint64_t inode = 0;
    TicketSetEntry entry;
  };
  std::vector<TicketSetEntry> ScanFolderLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const TicketCatalogOptions options_;
  concurrency::Mutex mu_;
  std::map<std::string, CachedFile> folder_cache_ ABSL_GUARDED_BY(mu_);  // by path
  std::deque<TicketSetEntry> uploaded_ ABSL_GUARDED_BY(mu_);             // oldest first
};

}  // namespace churn::snapshots
