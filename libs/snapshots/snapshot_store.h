#pragma once
// SnapshotStore: the current snapshot and the last few before it. A load builds the signals off
// to the side and publishes them with one pointer swap; a load that fails records why and leaves
// the current snapshot in place, so a bad file never replaces the last good data. Loading data
// identical to the current snapshot (same content hash) publishes nothing.
//
// The tables behind the current snapshot are kept parsed (signals/parsed_tables.h) with each
// file's content hash (table_hash_cache.h): a load reads and parses only the tables that changed
// and those whose keys resolve against them, and builds the same signals a full load would.
//
// Thread-safe: loads run one at a time (so versions and hash comparisons are consistent), while
// readers take the current pointer at any moment without waiting for a load.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "concurrency/mutex.h"
#include "dataset/loader.h"
#include "signals/parsed_tables.h"
#include "snapshots/snapshot.h"
#include "snapshots/table_hash_cache.h"

namespace churn::snapshots {

struct SnapshotStoreOptions {
  // Snapshots held, the current one included, so a reader can finish streaming a version that
  // has just been replaced (and ask for it by number).
  size_t versions_kept = 3;
  dataset::LoadOptions load;
  // Also fill each customer's long views (the trained model's inputs; signals/long_views.h):
  // one more pass over the tables per load.
  bool long_views = false;
};

struct LoadResult {
  std::shared_ptr<const Snapshot> snapshot;  // the snapshot current after the load
  bool published = false;                    // false: the data equalled the current snapshot
  double seconds = 0;                        // wall time of hashing + building
  // Tables whose files were parsed by this load (indexed by dataset::Table); the others were
  // unchanged and kept as parsed before.
  TablesRead tables_parsed{};
  TablesRead tables_hashed{};  // files read to hash them (the others' identity was unchanged)
  // The snapshots this publish stopped holding, unless a reader still holds them: freed when
  // the result is dropped (a hundred thousand rows take milliseconds), so a caller can announce
  // the publish first and free them after.
  std::vector<std::shared_ptr<const Snapshot>> retired;
};

class SnapshotStore {
 public:
  explicit SnapshotStore(SnapshotStoreOptions options = {});

  // Finds the five tables in `dir` and loads them.
  absl::StatusOr<LoadResult> LoadFolder(const std::string& dir, std::optional<dataset::Day> as_of);
  // Loads exactly these files; `source_dir` is recorded as where they came from.
  absl::StatusOr<LoadResult> LoadFiles(const std::string& source_dir,
                                       const dataset::DataFiles& files,
                                       std::optional<dataset::Day> as_of);

  // An upload: the current snapshot's files with `table` read from `path` instead, loaded as
  // one unit (no other load can slip in between). Without a current snapshot the other tables
  // come from `base_dir`. Errors name `display_name` (the user's file name) instead of `path`.
  absl::StatusOr<LoadResult> LoadReplacingTable(dataset::Table table, const std::string& path,
                                                const std::string& display_name,
                                                const std::string& base_dir,
                                                std::optional<dataset::Day> as_of);

  // Null before the first successful load.
  std::shared_ptr<const Snapshot> Current() const ABSL_LOCKS_EXCLUDED(state_mu_);
  // A held version; null when it was never published or is no longer held.
  std::shared_ptr<const Snapshot> Find(int64_t version) const;
  // Every held snapshot, newest first.
  std::vector<std::shared_ptr<const Snapshot>> Held() const;
  // The last failure since the last successful load.
  std::optional<LoadFailure> LastFailure() const;

 private:
  absl::StatusOr<LoadResult> LoadLocked(const std::string& source_dir,
                                        const absl::StatusOr<dataset::DataFiles>& files,
                                        std::optional<dataset::Day> as_of)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(load_mu_);
  absl::Status Fail(absl::Status status) ABSL_LOCKS_EXCLUDED(state_mu_);

  const SnapshotStoreOptions options_;
  concurrency::Mutex load_mu_ ABSL_ACQUIRED_BEFORE(state_mu_);  // one load at a time
  TableHashCache hashes_ ABSL_GUARDED_BY(load_mu_);
  ParsedTables tables_ ABSL_GUARDED_BY(load_mu_);  // those of the current snapshot
  // Whether the current snapshot was built from tables_ as they stand (false after a refresh
  // that published nothing), so the next load may start from its signals.
  bool tables_published_ ABSL_GUARDED_BY(load_mu_) = false;
  mutable concurrency::Mutex state_mu_;
  std::deque<std::shared_ptr<const Snapshot>> held_ ABSL_GUARDED_BY(state_mu_);  // newest first
  std::optional<LoadFailure> last_failure_ ABSL_GUARDED_BY(state_mu_);
  const std::string instance_;  // random per store, set on every snapshot it publishes
};

}  // namespace churn::snapshots
