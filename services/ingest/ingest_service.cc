#include "ingest_service.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <set>

#include "absl/strings/str_cat.h"
#include "auth/path_guard.h"
#include "auth/upload_file_name.h"
#include "chunked_stream_reactor.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "convert/signals_convert.h"
#include "convert/snapshot_convert.h"
#include "convert/ticket_convert.h"
#include "convert/time_convert.h"
#include "signals/signal_history.h"
#include "table_upload_receiver.h"
#include "status/status_macros.h"

namespace churn::ingest_service {
namespace {

namespace fs = std::filesystem;
using service::FinishWith;
using service::LogField;
using service::LogInfo;
using service::LogWarn;
using service::ToGrpcStatus;

// The two window ends come from one as-of date in the signals library, so both fields must
// agree; empty fields keep the service's configured as-of.
absl::StatusOr<std::optional<dataset::Day>> AsOfFromRequest(
    const v1::LoadDataFolderRequest& request, std::optional<dataset::Day> configured) {
  if (request.usage_as_of().empty() && request.support_as_of().empty()) return configured;
  if (request.usage_as_of() != request.support_as_of()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "usage_as_of, support_as_of: one as-of date ends both windows, so give both the same "
        "date (got '",
        request.usage_as_of(), "' and '", request.support_as_of(), "')"));
  }
  std::optional<dataset::Day> day = dataset::ParseDate(request.usage_as_of());
  if (!day) {
    return absl::InvalidArgumentError(
        absl::StrCat("usage_as_of: expected a date YYYY-MM-DD, got '", request.usage_as_of(), "'"));
  }
  return std::optional<dataset::Day>(day);
}

// "support_tickets,accounts": the tables marked, for the logs.
std::string TableNames(const std::array<bool, 5>& marked) {
  std::string names;
  for (dataset::Table table : dataset::kAllTables) {
    if (!marked[static_cast<int>(table)]) continue;
    absl::StrAppend(&names, names.empty() ? "" : ",", std::string(dataset::SchemaOf(table).name));
  }
  return names;
}

snapshots::SnapshotStoreOptions StoreOptions(const IngestServiceOptions& options) {
  snapshots::SnapshotStoreOptions store;
  store.versions_kept = options.versions_kept;
  store.load.max_rejected_rows = options.max_rejected_rows;
  store.long_views = options.long_views;
  return store;
}

snapshots::TicketCatalogOptions CatalogOptions(const IngestServiceOptions& options) {
  snapshots::TicketCatalogOptions catalog;
  catalog.tickets_dir = options.tickets_dir;
  return catalog;
}

}  // namespace

IngestService::IngestService(IngestServiceOptions options, prometheus::Registry& registry,
                             concurrency::BoundedExecutor* executor)
    : options_(std::move(options)),
      executor_(executor),
      metrics_(registry),
      store_(StoreOptions(options_)),
      tickets_(CatalogOptions(options_)),
      backtests_(BacktestRunnerOptions{.load = {.max_rejected_rows = options_.max_rejected_rows},
                                       .model = options_.model}),
      snapshot_watches_([this](v1::WatchSnapshotsResponse* response) {
        if (std::shared_ptr<const snapshots::Snapshot> current = store_.Current()) {
          convert::ToProto(*current, response->mutable_snapshot());
        }
        if (std::optional<snapshots::LoadFailure> failure = store_.LastFailure()) {
          response->set_last_error(std::string(failure->status.message()));
          convert::ToProto(failure->at, response->mutable_last_error_at());
        }
      }) {}

IngestService::~IngestService() { Stop(); }

absl::Status IngestService::Start() {
  uploads_dir_ = options_.uploads_dir;
  if (uploads_dir_.empty()) {
    std::error_code error;
    const fs::path temp = fs::temp_directory_path(error);
    if (error) {
      return absl::FailedPreconditionError(
          absl::StrCat("uploads_dir is empty and there is no temp dir: ", error.message()));
    }
    for (const std::string& removed : UploadStagingDir::RemoveAbandoned(temp)) {
      LogInfo("abandoned_uploads_removed", {{"dir", removed}});
    }
    CHURN_ASSIGN_OR_RETURN(private_uploads_, UploadStagingDir::Create(temp));
    uploads_dir_ = private_uploads_->path();
  }
  std::error_code error;
  fs::create_directories(uploads_dir_, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("uploads_dir ", uploads_dir_, ": cannot create it: ", error.message()));
  }
  LogInfo("uploads_staged_in",
          {{"uploads_dir", uploads_dir_}, {"removed_at_exit", private_uploads_ != nullptr}});
  data_sets_ = std::make_unique<data_sets::DataSetLibrary>(
      options_.data_sets_dir.empty() ? (fs::path(uploads_dir_) / "data-sets").string()
                                     : options_.data_sets_dir,
      options_.data_set_limits, StoreOptions(options_).load);
  CHURN_RETURN_IF_ERROR(data_sets_->Init());
  {
    concurrency::MutexLock lock(watched_mu_);
    watched_dir_ = options_.data_dir;
    watched_as_of_ = options_.as_of;
  }
  // The watcher's baseline is taken before the first load, so a file that changes during that
  // load is noticed; a folder that is bad now is retried as soon as it changes.
  if (options_.watch_interval.count() > 0) {
    watcher_ = std::make_unique<snapshots::FolderWatcher>(
        options_.data_dir,
        snapshots::FolderWatcherOptions{.interval = options_.watch_interval,
                                        .file_events = options_.watch_file_events},
        [this](const std::string& dir) { ReloadWatched(dir); });
    watcher_->Start();
    LogInfo("watching", {{"data_dir", options_.data_dir},
                         {"interval_ms", static_cast<int64_t>(options_.watch_interval.count())},
                         {"file_events", watcher_->using_file_events()}});
  }
  absl::StatusOr<snapshots::LoadResult> first =
      RecordLoad("startup", [&] { return store_.LoadFolder(options_.data_dir, options_.as_of); });
  if (!first.ok()) {
    LogWarn("not_ready", {{"reason", "the data folder could not be loaded"},
                          {"data_dir", options_.data_dir},
                          {"watching", watcher_ != nullptr},
                          {"hint", "fix the folder, or call LoadDataFolder / UploadTable"}});
  }
  // Parsing the ticket folder now keeps the first ListTicketTextSets fast and logs bad files.
  if (!options_.tickets_dir.empty()) {
    const auto started = std::chrono::steady_clock::now();
    std::vector<snapshots::TicketSetEntry> sets = tickets_.List();
    for (const snapshots::TicketSetEntry& entry : sets) {
      if (!entry.set)
        LogWarn("ticket_set_unreadable", {{"file", entry.file}, {"error", entry.error}});
    }
    LogInfo("ticket_sets_listed",
            {{"tickets_dir", options_.tickets_dir},
             {"sets", static_cast<int64_t>(sets.size())},
             {"seconds",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()}});
  }
  {
    concurrency::MutexLock lock(age_mu_);
    stopping_ = false;
  }
  age_thread_ = std::thread([this] {
    concurrency::MutexLock lock(age_mu_);
    const auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(age_mu_) { return stopping_; };
    while (!age_wake_.WaitFor(age_mu_, std::chrono::seconds(1), stopping)) {
      UpdateSnapshotAge();
    }
  });
  return absl::OkStatus();
}

void IngestService::Stop() {
  if (watcher_) watcher_->Stop();
  snapshot_watches_.Close();
  {
    concurrency::MutexLock lock(age_mu_);
    stopping_ = true;
  }
  age_wake_.NotifyAll();
  if (age_thread_.joinable()) age_thread_.join();
  {
    // Staged tables live as long as the process's snapshots: no later start reads them.
    concurrency::MutexLock lock(uploads_mu_);
    for (const std::string& path : accepted_uploads_) {
      std::error_code ignored;
      fs::remove(path, ignored);
    }
    accepted_uploads_.clear();
  }
  private_uploads_.reset();
}

void IngestService::UpdateSnapshotAge() {
  std::shared_ptr<const snapshots::Snapshot> current = store_.Current();
  metrics_.SetSnapshotAge(current ? absl::ToDoubleSeconds(absl::Now() - current->loaded_at) : 0);
}

absl::StatusOr<snapshots::LoadResult> IngestService::RecordLoad(
    std::string_view trigger, const std::function<absl::StatusOr<snapshots::LoadResult>()>& load) {
  const auto started = std::chrono::steady_clock::now();
  absl::StatusOr<snapshots::LoadResult> result = load();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // First of all: a watching gateway starts its refresh while this one logs and counts.
  snapshot_watches_.NotifyAll();
  if (!result.ok()) {
    metrics_.CountFailure(seconds);
    std::shared_ptr<const snapshots::Snapshot> kept = store_.Current();
    LogWarn("load_failed", {{"trigger", trigger},
                            {"error", result.status()},
                            {"kept_version", kept ? kept->version : int64_t{0}},
                            {"seconds", seconds}});
    return result;
  }
  const snapshots::Snapshot& snapshot = *result->snapshot;
  metrics_.CountTableReads(result->tables_parsed, result->tables_hashed);
  if (result->published) {
    metrics_.CountPublished(snapshot.signals.report, snapshot.version, seconds);
    LogInfo("snapshot_published",
            {{"trigger", trigger},
             {"version", snapshot.version},
             {"customers", static_cast<int64_t>(snapshot.signals.customers.size())},
             {"source_dir", snapshot.source_dir},
             {"usage_window_end", snapshot.signals.usage_window_end
                                      ? dataset::FormatDate(*snapshot.signals.usage_window_end)
                                      : std::string()},
             {"support_window_end", snapshot.signals.support_window_end
                                        ? dataset::FormatDate(*snapshot.signals.support_window_end)
                                        : std::string()},
             {"content_hash", snapshot.content_hash.substr(0, 16)},
             {"tables_parsed", TableNames(result->tables_parsed)},
             {"tables_hashed", TableNames(result->tables_hashed)},
             {"seconds", seconds}});
    RemoveUnreferencedUploads();
    // Announced and counted: the snapshots it replaced are freed now, not on the way to the
    // watchers.
    result->retired.clear();
  } else {
    metrics_.CountUnchanged(seconds);
    LogInfo("snapshot_unchanged",
            {{"trigger", trigger}, {"version", snapshot.version}, {"seconds", seconds}});
  }
  std::call_once(ready_once_, [this] {
    if (on_ready_) on_ready_();
  });
  return result;
}

void IngestService::ReloadWatched(const std::string& dir) {
  std::optional<dataset::Day> as_of;
  {
    concurrency::MutexLock lock(watched_mu_);
    if (dir != watched_dir_) return;  // LoadDataFolder moved the watch meanwhile
    as_of = watched_as_of_;
  }
  LogInfo("data_folder_changed", {{"data_dir", dir}});
  (void)RecordLoad("watch", [&] { return store_.LoadFolder(dir, as_of); });
}

std::string IngestService::StagingPath(const std::string& file_name) {
  concurrency::MutexLock lock(uploads_mu_);
  return (fs::path(uploads_dir_) /
          absl::StrCat(++upload_sequence_, "-", auth::SafeUploadFileName(file_name)))
      .string();
}

void IngestService::RemoveUnreferencedUploads() {
  std::set<std::string> referenced;
  for (const std::shared_ptr<const snapshots::Snapshot>& snapshot : store_.Held()) {
    referenced.insert(snapshot->files.paths.begin(), snapshot->files.paths.end());
  }
  concurrency::MutexLock lock(uploads_mu_);
  std::erase_if(accepted_uploads_, [&](const std::string& path) {
    if (referenced.count(path) > 0) return false;
    std::error_code ignored;
    fs::remove(path, ignored);
    return true;
  });
}

absl::Status IngestService::ApplyUpload(const v1::UploadTableHeader& header,
                                        const std::string& path,
                                        v1::UploadTableResponse* response) {
  auto discard = [&path] {
    std::error_code ignored;
    fs::remove(path, ignored);
  };
  if (header.table() == v1::TABLE_KIND_TICKET_TEXT) {
    std::string name = !header.ticket_set_name().empty() ? header.ticket_set_name()
                       : !header.file_name().empty()     ? header.file_name()
                                                         : fs::path(path).filename().string();
    const std::string shown = header.file_name().empty() ? name : header.file_name();
    absl::StatusOr<snapshots::TicketSetEntry> entry = tickets_.AddUploaded(name, path, shown);
    discard();  // the set is held in memory
    if (!entry.ok()) {
      LogWarn("ticket_set_rejected", {{"name", name}, {"error", entry.status()}});
      return entry.status();
    }
    std::shared_ptr<const snapshots::CustomerDirectory> directory = Directory();
    convert::ToProto(*entry, directory.get(), response->mutable_ticket_set());
    LogInfo("ticket_set_uploaded", {{"name", entry->name},
                                    {"rows", entry->set->rows_total},
                                    {"key_column", entry->set->key_column}});
    return absl::OkStatus();
  }

  const std::optional<dataset::Table> table = convert::FromProto(header.table());
  if (!table) {
    discard();
    return absl::InvalidArgumentError(absl::StrCat("header.table: unknown table ", header.table()));
  }
  const std::string shown = header.file_name().empty()
                                ? absl::StrCat(std::string(dataset::SchemaOf(*table).name), ".csv")
                                : header.file_name();
  std::string base_dir;
  std::optional<dataset::Day> as_of;
  {
    concurrency::MutexLock lock(watched_mu_);
    base_dir = watched_dir_;
    as_of = watched_as_of_;
  }
  absl::StatusOr<snapshots::LoadResult> result = RecordLoad(
      "upload", [&] { return store_.LoadReplacingTable(*table, path, shown, base_dir, as_of); });
  if (!result.ok() || !result->published) {
    discard();  // no snapshot reads it
    if (!result.ok()) return result.status();
  } else {
    {
      concurrency::MutexLock lock(uploads_mu_);
      accepted_uploads_.push_back(path);
    }
    RemoveUnreferencedUploads();
  }
  convert::ToProto(*result->snapshot, response->mutable_snapshot());
  response->set_published(result->published);
  return absl::OkStatus();
}

std::shared_ptr<const snapshots::CustomerDirectory> IngestService::Directory() {
  std::shared_ptr<const snapshots::Snapshot> current = store_.Current();
  if (!current) return nullptr;
  concurrency::MutexLock lock(directory_mu_);
  if (!directory_ || directory_version_ != current->version) {
    directory_ = std::make_shared<const snapshots::CustomerDirectory>(current->signals.customers);
    directory_version_ = current->version;
  }
  return directory_;
}

int32_t IngestService::ChunkSize(int32_t requested) const {
  const int32_t chunk = requested > 0 ? requested : options_.stream_chunk_size;
  return std::clamp(chunk, 1, kMaxStreamChunk);
}

grpc::ServerUnaryReactor* IngestService::LoadDataFolder(grpc::CallbackServerContext* context,
                                                        const v1::LoadDataFolderRequest* request,
                                                        v1::LoadDataFolderResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status queued = executor_->Submit([this, reactor, request, response] {
    reactor->Finish(ToGrpcStatus(LoadFolderNow(*request, response)));
  });
  if (!queued.ok()) reactor->Finish(ToGrpcStatus(queued));
  return reactor;
}

absl::Status IngestService::LoadFolderNow(const v1::LoadDataFolderRequest& request,
                                          v1::LoadDataFolderResponse* response) {
  CHURN_ASSIGN_OR_RETURN(std::optional<dataset::Day> as_of,
                         AsOfFromRequest(request, options_.as_of));
  std::string dir = options_.data_dir;
  if (!request.data_dir().empty()) {
    // A caller may name a folder, but only one the operator put under the data root.
    absl::StatusOr<std::string> resolved =
        auth::ResolveUnderRoot(options_.data_root, request.data_dir());
    if (!resolved.ok()) {
      LogWarn("load_refused", {{"data_dir", request.data_dir()}, {"error", resolved.status()}});
      return resolved.status();
    }
    dir = *std::move(resolved);
  }
  CHURN_ASSIGN_OR_RETURN(snapshots::LoadResult result, LoadAndWatch("rpc", dir, as_of));
  convert::ToProto(*result.snapshot, response->mutable_snapshot());
  response->set_published(result.published);
  return absl::OkStatus();
}

absl::StatusOr<snapshots::LoadResult> IngestService::LoadAndWatch(
    std::string_view trigger, const std::string& dir, std::optional<dataset::Day> as_of) {
  CHURN_ASSIGN_OR_RETURN(snapshots::LoadResult result,
                         RecordLoad(trigger, [&] { return store_.LoadFolder(dir, as_of); }));
  // From now on the watcher reloads what was asked for here.
  {
    concurrency::MutexLock lock(watched_mu_);
    watched_dir_ = dir;
    watched_as_of_ = as_of;
  }
  if (watcher_) watcher_->SetDirectory(dir);
  return result;
}

grpc::ServerReadReactor<v1::UploadTableRequest>* IngestService::UploadTable(
    grpc::CallbackServerContext* context, v1::UploadTableResponse* response) {
  return new UploadStreamReactor<v1::UploadTableRequest, v1::UploadTableResponse>(
      executor(), context, response, std::make_unique<TableUploadReceiver>(this));
}

grpc::ServerWriteReactor<v1::WatchSnapshotsResponse>* IngestService::WatchSnapshots(
    grpc::CallbackServerContext* /*context*/, const v1::WatchSnapshotsRequest* /*request*/) {
  return snapshot_watches_.Open();
}

grpc::ServerUnaryReactor* IngestService::GetSnapshotInfo(
    grpc::CallbackServerContext* context, const v1::GetSnapshotInfoRequest* /*request*/,
    v1::GetSnapshotInfoResponse* response) {
  if (std::shared_ptr<const snapshots::Snapshot> current = store_.Current()) {
    convert::ToProto(*current, response->mutable_snapshot());
  }
  if (std::optional<snapshots::LoadFailure> failure = store_.LastFailure()) {
    response->set_last_error(std::string(failure->status.message()));
    convert::ToProto(failure->at, response->mutable_last_error_at());
  }
  return FinishWith(context, absl::OkStatus());
}

namespace {

// Every customer of `snapshot`, `chunk` a message. The generator holds the snapshot: a newer
// publish cannot pull it away mid-stream.
ChunkedStreamReactor<v1::StreamSignalsResponse>::Generator FullSignalsStream(
    std::shared_ptr<const snapshots::Snapshot> snapshot, size_t chunk) {
  return [snapshot = std::move(snapshot), chunk, next = size_t{0},
          first = true](v1::StreamSignalsResponse* response) mutable {
    const std::vector<CustomerSignals>& customers = snapshot->signals.customers;
    if (!first && next >= customers.size()) return false;
    if (first) {
      convert::ToProto(*snapshot, response->mutable_snapshot());
      first = false;
    }
    const size_t end = std::min(customers.size(), next + chunk);
    response->mutable_signals()->Reserve(static_cast<int>(end - next));
    for (; next < end; ++next) convert::ToProto(customers[next], response->add_signals());
    return true;
  };
}

}  // namespace

grpc::ServerWriteReactor<v1::StreamSignalsResponse>* IngestService::StreamSignals(
    grpc::CallbackServerContext* /*context*/, const v1::StreamSignalsRequest* request) {
  using Reactor = ChunkedStreamReactor<v1::StreamSignalsResponse>;
  if (request->chunk_size() < 0) {
    return Reactor::Failed(ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("chunk_size: must be >= 0, got ", request->chunk_size()))));
  }
  std::shared_ptr<const snapshots::Snapshot> snapshot =
      request->snapshot_version() == 0 ? store_.Current()
                                       : store_.Find(request->snapshot_version());
  if (!snapshot) {
    std::shared_ptr<const snapshots::Snapshot> current = store_.Current();
    if (!current) {
      return Reactor::Failed(ToGrpcStatus(absl::UnavailableError("no snapshot is loaded yet")));
    }
    return Reactor::Failed(ToGrpcStatus(absl::NotFoundError(absl::StrCat(
        "snapshot_version: ", request->snapshot_version(), " is not held (current is ",
        current->version, "; the last ", options_.versions_kept, " versions are kept)"))));
  }
  const size_t chunk = static_cast<size_t>(ChunkSize(request->chunk_size()));
  if (!request->as_of().empty()) {
    const std::optional<dataset::Day> as_of = dataset::ParseDate(request->as_of());
    if (!as_of) {
      return Reactor::Failed(ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat("as_of: must be a date (YYYY-MM-DD), got '", request->as_of(), "'"))));
    }
    return StreamSignalsAsOf(std::move(snapshot), *as_of, chunk);
  }
  if (request->base_snapshot_version() != 0 &&
      request->base_snapshot_version() != snapshot->version) {
    if (std::shared_ptr<const snapshots::Snapshot> base =
            store_.Find(request->base_snapshot_version())) {
      return StreamSignalsDelta(std::move(base), std::move(snapshot), chunk);
    }
  }
  return new Reactor(FullSignalsStream(std::move(snapshot), chunk));
}

grpc::ServerWriteReactor<v1::StreamSignalsResponse>* IngestService::StreamSignalsDelta(
    std::shared_ptr<const snapshots::Snapshot> base,
    std::shared_ptr<const snapshots::Snapshot> snapshot, size_t chunk) {
  using Reactor = ChunkedStreamReactor<v1::StreamSignalsResponse>;
  Reactor* reactor = Reactor::Deferred();
  // The customers line up when every version after the base kept the previous one's (a change
  // of tickets, usage or churn events): then row against row, else matched by id.
  bool aligned = base->version < snapshot->version && snapshot->unique_customer_ids;
  // When every version since the base knew which customers it changed, only those are compared.
  std::optional<std::vector<uint32_t>> candidates = std::vector<uint32_t>();
  for (int64_t version = base->version + 1; aligned && version <= snapshot->version; ++version) {
    std::shared_ptr<const snapshots::Snapshot> step =
        version == snapshot->version ? snapshot : store_.Find(version);
    aligned = step != nullptr && step->store_instance == snapshot->store_instance &&
              step->same_customers_as_previous;
    if (!aligned || !step->changed_from_previous) {
      candidates.reset();
    } else if (candidates) {
      std::vector<uint32_t> merged;
      std::set_union(candidates->begin(), candidates->end(), step->changed_from_previous->begin(),
                     step->changed_from_previous->end(), std::back_inserter(merged));
      candidates = std::move(merged);
    }
  }
  if (!aligned) candidates.reset();
  // Comparing every customer is a pass over both snapshots: on the executor.
  absl::Status queued = executor_->Submit([base, snapshot, chunk, reactor, aligned,
                                           candidates = std::move(candidates)] {
    std::optional<snapshots::SignalsDelta> diff =
        candidates ? snapshots::DiffAlignedSignalsAt(base->signals.customers,
                                                     snapshot->signals.customers, *candidates)
        : aligned
            ? snapshots::DiffAlignedSignals(base->signals.customers, snapshot->signals.customers)
            : std::nullopt;
    if (!diff) diff = snapshots::DiffSignals(base->signals.customers, snapshot->signals.customers);
    if (!diff) {
      // Ids repeat: the full stream, which the client takes for what it is (delta unset).
      reactor->Start(FullSignalsStream(snapshot, chunk));
      return;
    }
    auto delta = std::make_shared<const snapshots::SignalsDelta>(*std::move(diff));
    reactor->Start([snapshot, delta, chunk, next = size_t{0},
                    first = true](v1::StreamSignalsResponse* response) mutable {
      const std::vector<CustomerSignals>& customers = snapshot->signals.customers;
      if (!first && next >= delta->changed.size()) return false;
      if (first) {
        convert::ToProto(*snapshot, response->mutable_snapshot());
        response->set_delta(true);
        for (const std::string& id : delta->removed_ids) response->add_removed_customer_ids(id);
        first = false;
      }
      const size_t end = std::min(delta->changed.size(), next + chunk);
      response->mutable_signals()->Reserve(static_cast<int>(end - next));
      for (; next < end; ++next) {
        convert::ToProto(customers[delta->changed[next]], response->add_signals());
      }
      return true;
    });
  });
  if (!queued.ok()) reactor->Fail(ToGrpcStatus(queued));
  return reactor;
}

grpc::ServerWriteReactor<v1::StreamSignalsResponse>* IngestService::StreamSignalsAsOf(
    std::shared_ptr<const snapshots::Snapshot> snapshot, dataset::Day as_of, size_t chunk) {
  using Reactor = ChunkedStreamReactor<v1::StreamSignalsResponse>;
  Reactor* reactor = Reactor::Deferred();
  // Reading the tables again is a load: on the executor, never on a gRPC thread.
  const dataset::LoadOptions load = StoreOptions(options_).load;
  absl::Status queued = executor_->Submit([snapshot, as_of, chunk, reactor, load] {
    absl::StatusOr<SignalHistory> history = SignalHistory::Load(snapshot->files, {as_of}, load);
    absl::StatusOr<PopulationSignals> population =
        history.ok() ? history->SignalsAsOf(as_of)
                     : absl::StatusOr<PopulationSignals>(history.status());
    if (!population.ok()) {
      LogWarn("signals_as_of_failed",
              {{"as_of", dataset::FormatDate(as_of)}, {"error", population.status()}});
      reactor->Fail(ToGrpcStatus(population.status()));
      return;
    }
    auto held = std::make_shared<const PopulationSignals>(*std::move(population));
    reactor->Start([snapshot, held, chunk, next = size_t{0},
                    first = true](v1::StreamSignalsResponse* response) mutable {
      const std::vector<CustomerSignals>& customers = held->customers;
      if (!first && next >= customers.size()) return false;
      if (first) {
        convert::ToProto(*snapshot, response->mutable_snapshot());
        response->mutable_snapshot()->set_usage_window_end(dataset::FormatDate(held->as_of));
        response->mutable_snapshot()->set_support_window_end(dataset::FormatDate(held->as_of));
        response->mutable_snapshot()->set_customer_count(static_cast<int64_t>(customers.size()));
        first = false;
      }
      const size_t end = std::min(customers.size(), next + chunk);
      response->mutable_signals()->Reserve(static_cast<int>(end - next));
      for (; next < end; ++next) convert::ToProto(customers[next], response->add_signals());
      return true;
    });
  });
  if (!queued.ok()) reactor->Fail(ToGrpcStatus(queued));
  return reactor;
}

grpc::ServerUnaryReactor* IngestService::ListTicketTextSets(
    grpc::CallbackServerContext* context, const v1::ListTicketTextSetsRequest* /*request*/,
    v1::ListTicketTextSetsResponse* response) {
  const std::vector<snapshots::TicketSetEntry> sets = tickets_.List();
  // The directory indexes every customer of the snapshot: built only when a set needs it.
  std::shared_ptr<const snapshots::CustomerDirectory> directory =
      sets.empty() ? nullptr : Directory();
  for (const snapshots::TicketSetEntry& entry : sets) {
    convert::ToProto(entry, directory.get(), response->add_sets());
  }
  return FinishWith(context, absl::OkStatus());
}

grpc::ServerWriteReactor<v1::StreamTicketTextsResponse>* IngestService::StreamTicketTexts(
    grpc::CallbackServerContext* /*context*/, const v1::StreamTicketTextsRequest* request) {
  using Reactor = ChunkedStreamReactor<v1::StreamTicketTextsResponse>;
  auto fail = [](absl::Status status) { return Reactor::Failed(ToGrpcStatus(status)); };
  if (request->set_name().empty()) return fail(absl::InvalidArgumentError("set_name: required"));
  if (request->limit() < 0) {
    return fail(absl::InvalidArgumentError(
        absl::StrCat("limit: must be >= 0 (0 = all), got ", request->limit())));
  }
  if (request->chunk_size() < 0) {
    return fail(absl::InvalidArgumentError(
        absl::StrCat("chunk_size: must be >= 0, got ", request->chunk_size())));
  }
  std::optional<snapshots::TicketSetEntry> entry = tickets_.Find(request->set_name());
  if (!entry) {
    return fail(absl::NotFoundError(
        absl::StrCat("set_name: no ticket text set named '", request->set_name(), "'")));
  }
  if (!entry->set) {
    return fail(absl::FailedPreconditionError(
        absl::StrCat("set_name: '", entry->name, "' cannot be read: ", entry->error)));
  }
  std::shared_ptr<const snapshots::CustomerDirectory> directory = Directory();
  // Real keys always win; the synthetic mapping is only for demo sets, and only when asked.
  const bool synthetic = entry->set->key_column.empty() && request->synthetic_mapping();
  if (synthetic && !directory) {
    return fail(absl::FailedPreconditionError(
        "synthetic_mapping: no snapshot is loaded yet, so there are no customers to map to"));
  }
  v1::TicketTextSet info;
  convert::ToProto(*entry, directory.get(), &info);
  const size_t held = entry->set->tickets.size();
  const size_t total =
      request->limit() > 0 ? std::min(held, static_cast<size_t>(request->limit())) : held;
  const size_t chunk = static_cast<size_t>(ChunkSize(request->chunk_size()));
  const tickets::CustomerLinker link = [set = entry->set, directory,
                                        synthetic](const tickets::TicketRecord& record) {
    return directory ? directory->LinkOf(*set, record, synthetic) : tickets::CustomerLink{};
  };
  return new Reactor([set = entry->set, link, info = std::move(info), total, chunk,
                      next = size_t{0},
                      first = true](v1::StreamTicketTextsResponse* response) mutable {
    if (!first && next >= total) return false;
    if (first) {
      *response->mutable_set() = info;
      first = false;
    }
    const size_t end = std::min(total, next + chunk);
    for (const tickets::TicketForAnalysis& ticket :
         tickets::TicketsForAnalysis(*set, next, end, link)) {
      convert::ToProto(ticket, response->add_tickets());
    }
    next = end;
    return true;
  });
}

}  // namespace churn::ingest_service
