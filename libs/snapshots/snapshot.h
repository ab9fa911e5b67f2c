#pragma once
// One immutable, versioned snapshot of the input data: the five files it was built from, their
// content hash and the per-customer signals. Shared read-only (std::shared_ptr<const Snapshot>)
// between the store and every reader, so a reader keeps its version alive while it streams.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "dataset/loader.h"
#include "dataset/value_parsers.h"
#include "signals/signal_builder.h"

namespace churn::snapshots {

struct Snapshot {
  int64_t version = 0;  // 1 for the first published snapshot, +1 per publish
  // Names the store (so the ingest process) that published it: versions restart at 1 when
  // ingest restarts, so only the pair (store_instance, version) names one snapshot.
  std::string store_instance;
  absl::Time loaded_at;
  std::string source_dir;    // the data folder the files were found in
  dataset::DataFiles files;  // the five files loaded (an upload replaces one of them)
  // Hex SHA-256 over the five files' own SHA-256 and the as-of date (content_hash.h): equal
  // hashes mean equal signals.
  std::string content_hash;
  std::optional<dataset::Day> as_of;
  SignalSnapshot signals;
  // The same customer ids in the same order as the store's previous version (version - 1), so a
  // delta against it compares row by row (signals_delta.h DiffAlignedSignals); false for the
  // first version.
  bool same_customers_as_previous = false;
  bool unique_customer_ids = false;  // no customer id repeats
  // When the load knew which customers changed (a change of tickets or churn events only: the
  // store re-assembled just their support windows and churn labels): the positions whose
  // signals differ from version - 1's, ascending, so a delta needs no comparison of every row.
  std::optional<std::vector<uint32_t>> changed_from_previous;
};

// Why the last load failed, kept until a later load succeeds.
struct LoadFailure {
  absl::Status status;  // names file, line and column when a value was at fault
  absl::Time at;
};

}  // namespace churn::snapshots
