#pragma once
// TableHashCache: each table's content hash (content_hash.h) without reading unchanged files
// again. Hashing gigabytes of usage on every refresh would cost seconds, so a file whose
// identity (device, inode, size, mtime and ctime) is what it was when last hashed keeps its hash.
// A file changed less than the settle time (kSettleTime) before it was hashed is hashed again next
// time: a later write within the file system's timestamp granularity could leave its identity
// unchanged.
//
// Not thread-safe: the snapshot store calls it under its load lock.

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "dataset/loader.h"

namespace churn::snapshots {

struct TableHashes {
  std::array<std::string, 5> of_table;  // indexed by dataset::Table
  std::array<bool, 5> read{};           // the file was read (not known from its identity)
};

class TableHashCache {
 public:
  static constexpr std::chrono::seconds kSettleTime{2};

  explicit TableHashCache(std::chrono::nanoseconds settle_time = kSettleTime)
      : settle_time_(settle_time) {}

  // The hashes of the five files. Remembers only these files from now on.
  absl::StatusOr<TableHashes> Hash(const dataset::DataFiles& files);

 private:
  struct FileIdentity {
    uint64_t device = 0;
    uint64_t inode = 0;
    int64_t size = 0;
    int64_t mtime_ns = 0;
    int64_t ctime_ns = 0;
    bool operator==(const FileIdentity&) const = default;
  };
  struct Entry {
    FileIdentity identity;
    std::string hash;
  };
  std::chrono::nanoseconds settle_time_;
  absl::flat_hash_map<std::string, Entry> by_path_;
};

}  // namespace churn::snapshots
