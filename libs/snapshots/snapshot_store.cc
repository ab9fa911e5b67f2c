#include "snapshots/snapshot_store.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "signals/signal_history.h"
#include "snapshots/content_hash.h"
#include "snapshots/signals_delta.h"

namespace churn::snapshots {

namespace {

std::string NewInstanceId() {
  std::random_device random;
  return absl::StrFormat("%08x%08x", random(), random());
}

}  // namespace

SnapshotStore::SnapshotStore(SnapshotStoreOptions options)
    : options_(std::move(options)), instance_(NewInstanceId()) {}

absl::StatusOr<LoadResult> SnapshotStore::LoadFolder(const std::string& dir,
                                                     std::optional<dataset::Day> as_of) {
  concurrency::MutexLock load_lock(load_mu_);
  return LoadLocked(dir, dataset::FindDataFiles(dir), as_of);
}

absl::StatusOr<LoadResult> SnapshotStore::LoadFiles(const std::string& source_dir,
                                                    const dataset::DataFiles& files,
                                                    std::optional<dataset::Day> as_of) {
  concurrency::MutexLock load_lock(load_mu_);
  return LoadLocked(source_dir, files, as_of);
}

absl::StatusOr<LoadResult> SnapshotStore::LoadReplacingTable(dataset::Table table,
                                                             const std::string& path,
                                                             const std::string& display_name,
                                                             const std::string& base_dir,
                                                             std::optional<dataset::Day> as_of) {
  concurrency::MutexLock load_lock(load_mu_);
  std::shared_ptr<const Snapshot> current = Current();
  absl::StatusOr<dataset::DataFiles> files =
      current ? absl::StatusOr<dataset::DataFiles>(current->files)
              : dataset::FindDataFiles(base_dir);
  if (!files.ok()) {
    return Fail(absl::FailedPreconditionError(
        absl::StrCat("no current data to combine the upload with: ", files.status().message())));
  }
  files->paths[static_cast<int>(table)] = path;
  absl::StatusOr<LoadResult> result =
      LoadLocked(current ? current->source_dir : base_dir, files, as_of);
  if (result.ok() || display_name.empty()) return result;
  absl::Status renamed(result.status().code(),
                       absl::StrReplaceAll(result.status().message(), {{path, display_name}}));
  return Fail(renamed);
}

absl::StatusOr<LoadResult> SnapshotStore::LoadLocked(
    const std::string& source_dir, const absl::StatusOr<dataset::DataFiles>& files,
    std::optional<dataset::Day> as_of) {
  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  if (!files.ok()) return Fail(files.status());
  absl::StatusOr<TableHashes> table_hashes = hashes_.Hash(*files);
  if (!table_hashes.ok()) return Fail(table_hashes.status());
  std::string hash = CombineTableHashes(table_hashes->of_table, as_of);

  std::shared_ptr<const Snapshot> current = Current();
  if (current && current->content_hash == hash) {
    concurrency::MutexLock lock(state_mu_);
    last_failure_.reset();  // the data is usable again, and unchanged
    return LoadResult{current, false, elapsed(), {}, table_hashes->read, {}};
  }

  const bool from_current = current && tables_published_;
  absl::StatusOr<TablesRead> parsed =
      tables_.Refresh(*files, table_hashes->of_table, as_of, options_.load);
  if (!parsed.ok()) return Fail(parsed.status());
  tables_published_ = false;  // until a snapshot of the tables as they are now is published
  // Long views are added after the signals are assembled: not a start for the next assembly.
  std::optional<std::vector<uint32_t>> changed;
  SignalSnapshot signals = from_current && !options_.long_views
                               ? tables_.SignalsSince(current->signals, &changed)
                               : tables_.Signals();
  if (options_.long_views) {
    // The long views read every table again (days and weeks before the as-of date).
    if (absl::Status added = AddLongViews(*files, options_.load, &signals); !added.ok()) {
      return Fail(added);
    }
  }

  auto snapshot = std::make_shared<Snapshot>();
  snapshot->version = current ? current->version + 1 : 1;
  snapshot->store_instance = instance_;
  snapshot->loaded_at = absl::Now();
  snapshot->source_dir = source_dir;
  snapshot->files = *files;
  snapshot->content_hash = std::move(hash);
  snapshot->as_of = as_of;
  snapshot->signals = std::move(signals);
  snapshot->changed_from_previous = std::move(changed);
  // A kept subscriptions table (an accounts change re-reads it) is the same customers, in order,
  // with the same answer to whether an id repeats; a re-read one is compared.
  const std::vector<CustomerSignals>& customers = snapshot->signals.customers;
  if (from_current && !(*parsed)[static_cast<int>(dataset::Table::kSubscriptions)]) {
    snapshot->same_customers_as_previous = true;
    snapshot->unique_customer_ids = current->unique_customer_ids;
  } else {
    snapshot->same_customers_as_previous =
        current && std::equal(customers.begin(), customers.end(),
                              current->signals.customers.begin(), current->signals.customers.end(),
                              [](const CustomerSignals& a, const CustomerSignals& b) {
                                return a.customer_id == b.customer_id;
                              });
    snapshot->unique_customer_ids = UniqueCustomerIds(customers);
  }

  std::vector<std::shared_ptr<const Snapshot>> retired;
  {
    concurrency::MutexLock lock(state_mu_);
    held_.push_front(snapshot);
    while (held_.size() > std::max<size_t>(options_.versions_kept, 1)) {
      retired.push_back(std::move(held_.back()));
      held_.pop_back();
    }
    last_failure_.reset();
  }
  tables_published_ = true;
  // Freed after the publish, outside the lock (readers never wait for it), by the caller.
  return LoadResult{std::move(snapshot), true, elapsed(), *parsed, table_hashes->read,
                    std::move(retired)};
}

absl::Status SnapshotStore::Fail(absl::Status status) {
  concurrency::MutexLock lock(state_mu_);
  last_failure_ = LoadFailure{status, absl::Now()};
  return status;
}

std::shared_ptr<const Snapshot> SnapshotStore::Current() const {
  concurrency::MutexLock lock(state_mu_);
  return held_.empty() ? nullptr : held_.front();
}

std::shared_ptr<const Snapshot> SnapshotStore::Find(int64_t version) const {
  concurrency::MutexLock lock(state_mu_);
  for (const std::shared_ptr<const Snapshot>& snapshot : held_) {
    if (snapshot->version == version) return snapshot;
  }
  return nullptr;
}

std::vector<std::shared_ptr<const Snapshot>> SnapshotStore::Held() const {
  concurrency::MutexLock lock(state_mu_);
  return {held_.begin(), held_.end()};
}

std::optional<LoadFailure> SnapshotStore::LastFailure() const {
  concurrency::MutexLock lock(state_mu_);
  return last_failure_;
}

}  // namespace churn::snapshots
