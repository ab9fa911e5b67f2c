#include "snapshots/ticket_catalog.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace churn::snapshots {

namespace fs = std::filesystem;

TicketSetCatalog::TicketSetCatalog(TicketCatalogOptions options) : options_(std::move(options)) {}

std::vector<TicketSetEntry> TicketSetCatalog::ScanFolderLocked() {
  std::vector<TicketSetEntry> entries;
  if (options_.tickets_dir.empty()) return entries;
  std::error_code error;
  std::vector<fs::path> paths;
  for (const fs::directory_entry& entry : fs::directory_iterator(options_.tickets_dir, error)) {
    if (entry.path().extension() == ".csv") paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  std::map<std::string, CachedFile> still_present;
  for (const fs::path& path : paths) {
    struct stat info;
    if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
    const int64_t mtime_ns = static_cast<int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 +
                             static_cast<int64_t>(info.st_mtim.tv_nsec);
    auto cached = folder_cache_.find(path.string());
    if (cached == folder_cache_.end() || cached->second.size != info.st_size ||
        cached->second.mtime_ns != mtime_ns || cached->second.inode != info.st_ino) {
      CachedFile file{
          static_cast<int64_t>(info.st_size), mtime_ns, static_cast<uint64_t>(info.st_ino), {}};
      file.entry.name = path.filename().string();
      file.entry.file = path.string();
      absl::StatusOr<tickets::TicketSet> set =
          tickets::LoadTicketSet(path.string(), options_.parse);
      if (set.ok()) {
        file.entry.set = std::make_shared<const tickets::TicketSet>(*std::move(set));
      } else {
        file.entry.error = std::string(set.status().message());
      }
      cached = folder_cache_.insert_or_assign(path.string(), std::move(file)).first;
    }
    entries.push_back(cached->second.entry);
    still_present.insert(*cached);
  }
  folder_cache_ = std::move(still_present);  // forget deleted files
  return entries;
}

std::vector<TicketSetEntry> TicketSetCatalog::List() {
  concurrency::MutexLock lock(mu_);
  std::vector<TicketSetEntry> entries = ScanFolderLocked();
  entries.insert(entries.end(), uploaded_.begin(), uploaded_.end());
  return entries;
}

std::optional<TicketSetEntry> TicketSetCatalog::Find(std::string_view name) {
  concurrency::MutexLock lock(mu_);
  for (auto it = uploaded_.rbegin(); it != uploaded_.rend(); ++it) {
    if (it->name == name) return *it;
  }
  for (TicketSetEntry& entry : ScanFolderLocked()) {
    if (entry.name == name) return std::move(entry);
  }
  return std::nullopt;
}

absl::StatusOr<TicketSetEntry> TicketSetCatalog::AddUploaded(std::string name,
                                                             const std::string& path,
                                                             std::string file_name) {
  absl::StatusOr<tickets::TicketSet> set = tickets::LoadTicketSet(path, options_.parse);
  if (!set.ok()) {
    // The reader names the staged path; the user knows the file by its own name.
    return absl::Status(
        set.status().code(),
        absl::StrReplaceAll(std::string(set.status().message()), {{path, file_name}}));
  }
  set->name = name;
  TicketSetEntry entry;
  entry.name = std::move(name);
  entry.file = std::move(file_name);
  entry.uploaded = true;
  entry.set = std::make_shared<const tickets::TicketSet>(*std::move(set));
  concurrency::MutexLock lock(mu_);
  std::erase_if(uploaded_, [&](const TicketSetEntry& old) { return old.name == entry.name; });
  uploaded_.push_back(entry);
  while (uploaded_.size() > std::max<size_t>(options_.max_uploaded_sets, 1)) uploaded_.pop_front();
  return entry;
}

}  // namespace churn::snapshots
