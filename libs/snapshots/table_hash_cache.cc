#include "snapshots/table_hash_cache.h"

#include <sys/stat.h>

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "snapshots/content_hash.h"

namespace churn::snapshots {
namespace {

int64_t Nanoseconds(const struct timespec& time) {
  return static_cast<int64_t>(time.tv_sec) * 1'000'000'000 + static_cast<int64_t>(time.tv_nsec);
}

}  // namespace

absl::StatusOr<TableHashes> TableHashCache::Hash(const dataset::DataFiles& files) {
  TableHashes hashes;
  absl::flat_hash_map<std::string, Entry> kept;
  for (dataset::Table table : dataset::kAllTables) {
    const std::string& path = files.of(table);
    const int index = static_cast<int>(table);
    // Taken before the bytes are read: a change while reading gives a new identity next time.
    std::optional<FileIdentity> identity;
    struct stat info;
    if (::stat(path.c_str(), &info) == 0) {
      identity = FileIdentity{
          static_cast<uint64_t>(info.st_dev), static_cast<uint64_t>(info.st_ino),
          static_cast<int64_t>(info.st_size), Nanoseconds(info.st_mtim), Nanoseconds(info.st_ctim)};
    }
    if (auto it = kept.find(path); it != kept.end()) {  // the same file named twice
      hashes.of_table[index] = it->second.hash;
      continue;
    }
    if (auto it = by_path_.find(path);
        identity && it != by_path_.end() && it->second.identity == *identity) {
      hashes.of_table[index] = it->second.hash;
      kept.emplace(path, std::move(it->second));
      continue;
    }
    const int64_t now_ns = absl::ToUnixNanos(absl::Now());
    absl::StatusOr<std::string> hash = HashFile(path);
    if (!hash.ok()) return hash.status();
    hashes.of_table[index] = *hash;
    hashes.read[index] = true;
    const int64_t settle_ns = settle_time_.count();
    if (identity && identity->mtime_ns < now_ns - settle_ns &&
        identity->ctime_ns < now_ns - settle_ns) {
      kept.emplace(path, Entry{*identity, *std::move(hash)});
    }
  }
  by_path_ = std::move(kept);
  return hashes;
}

}  // namespace churn::snapshots
