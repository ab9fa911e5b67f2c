#pragma once
// churn.v1.IngestService: a thin gRPC adapter over libs/snapshots. The store builds and holds
// the versioned snapshots, the watcher reloads the data folder when it changes, the catalog
// lists ticket text sets; this class turns their results into messages and statuses, counts
// them in the metrics and reports readiness.
//
// Loads (LoadDataFolder, a completed upload) read and parse whole tables, so they run on the
// service's bounded executor, never on a gRPC thread.
//
// An uploaded table replaces that table in the current snapshot's files; it stays in force until
// the watched folder itself changes, which reloads the folder as it is on disk.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "backtest_runner.h"
#include "churn/v1/ingest.grpc.pb.h"
#include "concurrency/bounded_executor.h"
#include "concurrency/mutex.h"
#include "data_sets/data_set_library.h"
#include "ingest_metrics.h"
#include "snapshots/customer_directory.h"
#include "snapshots/folder_watcher.h"
#include "snapshots/signals_delta.h"
#include "snapshots/snapshot_store.h"
#include "snapshots/ticket_catalog.h"
#include "snapshot_watchers.h"
#include "upload_staging_dir.h"

namespace churn::ingest_service {

struct IngestServiceOptions {
  std::string data_dir;
  std::string data_root;    // LoadDataFolder stays inside it
  std::string tickets_dir;  // empty: no folder sets
  // Where uploads are staged; empty: a private folder in the system temp dir ($TMPDIR, else /tmp),
  // removed at exit (UploadStagingDir). Either way, Stop() removes the files it staged.
  std::string uploads_dir;
  std::chrono::milliseconds watch_interval{2000};  // 0: no watching
  // Beside the poll, the kernel's file events (snapshots/folder_watcher.h): a finished change
  // reloads at once instead of one to two intervals later.
  bool watch_file_events = true;
  int64_t max_upload_bytes = int64_t{64} << 20;
  int32_t stream_chunk_size = 500;
  std::optional<dataset::Day> as_of;  // ends both windows; none = latest date in the data
  size_t versions_kept = 3;
  int64_t max_rejected_rows = 0;
  // Uploaded data sets; empty: "data-sets" inside the uploads folder.
  std::string data_sets_dir;
  data_sets::DataSetLimits data_set_limits;
  // Snapshots also carry each customer's long views, so StreamSignals feeds scoring's model.
  bool long_views = false;
  // Backtest evaluates this trained model beside the rules; null: the rules alone.
  std::shared_ptr<const churnmodel::ChurnModel> model;
};

// Customers (or tickets) per streamed message, at most; larger requests are capped.
inline constexpr int32_t kMaxStreamChunk = 10000;

class IngestService final : public v1::IngestService::CallbackService {
 public:
  // `executor` runs the loads; it must outlive every call.
  IngestService(IngestServiceOptions options, prometheus::Registry& registry,
                concurrency::BoundedExecutor* executor);
  ~IngestService() override;  // Stop()

  // Runs once, when the first snapshot is published (the service becomes ready).
  void SetOnReady(std::function<void()> on_ready) { on_ready_ = std::move(on_ready); }
  // Prepares the uploads folder, loads the configured data folder and starts the watcher and
  // the snapshot age updates. A failed first load is returned (and logged) but the watcher
  // still runs, so fixing the folder makes the service ready; only an unusable uploads folder
  // stops the start.
  absl::Status Start();
  // Stops the watcher and the age updates, and ends the WatchSnapshots streams. Idempotent.
  void Stop();
  // Ends the WatchSnapshots streams (UNAVAILABLE) and refuses new ones: at the start of the
  // process's shutdown, so open streams do not hold the drain until its deadline.
  void CloseSnapshotWatches() { snapshot_watches_.Close(); }

  grpc::ServerUnaryReactor* LoadDataFolder(grpc::CallbackServerContext* context,
                                           const v1::LoadDataFolderRequest* request,
                                           v1::LoadDataFolderResponse* response) override;
  grpc::ServerReadReactor<v1::UploadTableRequest>* UploadTable(
      grpc::CallbackServerContext* context, v1::UploadTableResponse* response) override;
  grpc::ServerUnaryReactor* GetSnapshotInfo(grpc::CallbackServerContext* context,
                                            const v1::GetSnapshotInfoRequest* request,
                                            v1::GetSnapshotInfoResponse* response) override;
  grpc::ServerWriteReactor<v1::WatchSnapshotsResponse>* WatchSnapshots(
      grpc::CallbackServerContext* context, const v1::WatchSnapshotsRequest* request) override;
  grpc::ServerWriteReactor<v1::StreamSignalsResponse>* StreamSignals(
      grpc::CallbackServerContext* context, const v1::StreamSignalsRequest* request) override;
  grpc::ServerUnaryReactor* ListTicketTextSets(grpc::CallbackServerContext* context,
                                               const v1::ListTicketTextSetsRequest* request,
                                               v1::ListTicketTextSetsResponse* response) override;
  grpc::ServerWriteReactor<v1::StreamTicketTextsResponse>* StreamTicketTexts(
      grpc::CallbackServerContext* context, const v1::StreamTicketTextsRequest* request) override;
  // Runs on the executor (backtest_rpc.cc).
  grpc::ServerUnaryReactor* Backtest(grpc::CallbackServerContext* context,
                                     const v1::BacktestRequest* request,
                                     v1::BacktestResponse* response) override;
  // Data sets (ingest_data_sets.cc).
  grpc::ServerReadReactor<v1::UploadDataSetRequest>* UploadDataSet(
      grpc::CallbackServerContext* context, v1::UploadDataSetResponse* response) override;
  grpc::ServerUnaryReactor* ListDataSets(grpc::CallbackServerContext* context,
                                         const v1::ListDataSetsRequest* request,
                                         v1::ListDataSetsResponse* response) override;
  grpc::ServerUnaryReactor* SelectDataSet(grpc::CallbackServerContext* context,
                                          const v1::SelectDataSetRequest* request,
                                          v1::SelectDataSetResponse* response) override;

  // Used by the upload reactor.
  int64_t max_upload_bytes() const { return options_.max_upload_bytes; }
  concurrency::BoundedExecutor* executor() const { return executor_; }
  // A fresh staging path for an upload named `file_name`.
  std::string StagingPath(const std::string& file_name);
  // Validates and applies a completed upload staged at `path`; fills `response`.
  absl::Status ApplyUpload(const v1::UploadTableHeader& header, const std::string& path,
                           v1::UploadTableResponse* response);
  // Used by the data set upload reactor; null before Start().
  data_sets::DataSetLibrary* data_sets() const { return data_sets_.get(); }

 private:
  // StreamSignals with a held base_snapshot_version: the customers compared on the executor,
  // then only those that differ streamed (with the removed ids), or all when ids repeat.
  grpc::ServerWriteReactor<v1::StreamSignalsResponse>* StreamSignalsDelta(
      std::shared_ptr<const snapshots::Snapshot> base,
      std::shared_ptr<const snapshots::Snapshot> snapshot, size_t chunk);
  // StreamSignals with as_of: the tables re-read on the executor, then streamed.
  grpc::ServerWriteReactor<v1::StreamSignalsResponse>* StreamSignalsAsOf(
      std::shared_ptr<const snapshots::Snapshot> snapshot, dataset::Day as_of, size_t chunk);
  // Runs one load, counts and logs it, marks the service ready on the first publish and, when
  // `then_watch` is set and it succeeded, watches `dir` with `as_of` from now on.
  absl::Status LoadFolderNow(const v1::LoadDataFolderRequest& request,
                             v1::LoadDataFolderResponse* response);
  absl::StatusOr<snapshots::LoadResult> RecordLoad(
      std::string_view trigger, const std::function<absl::StatusOr<snapshots::LoadResult>()>& load);
  void ReloadWatched(const std::string& dir);
  // Loads `dir` as the current snapshot and, when it succeeded, watches it from now on.
  absl::StatusOr<snapshots::LoadResult> LoadAndWatch(std::string_view trigger,
                                                     const std::string& dir,
                                                     std::optional<dataset::Day> as_of);
  absl::Status SelectDataSetNow(const v1::SelectDataSetRequest& request,
                                v1::SelectDataSetResponse* response);
  // Marks `set` current when the current snapshot was loaded from `dir`.
  void MarkCurrent(const std::string& dir, v1::DataSet* set) const;
  void RemoveUnreferencedUploads();
  void UpdateSnapshotAge();
  int32_t ChunkSize(int32_t requested) const;
  absl::Status BacktestNow(const v1::BacktestRequest& request, v1::BacktestResponse* response);
  // Null before the first snapshot; cached per snapshot version.
  std::shared_ptr<const snapshots::CustomerDirectory> Directory();

  const IngestServiceOptions options_;
  concurrency::BoundedExecutor* const executor_;
  IngestMetrics metrics_;
  snapshots::SnapshotStore store_;
  snapshots::TicketSetCatalog tickets_;
  std::function<void()> on_ready_;
  BacktestRunner backtests_;
  std::once_flag ready_once_;
  // WatchSnapshots streams, told after every load (RecordLoad).
  SnapshotWatchers snapshot_watches_;

  std::string uploads_dir_;
  // The private staging folder (no uploads_dir configured); removed by Stop().
  std::unique_ptr<UploadStagingDir> private_uploads_;
  std::unique_ptr<data_sets::DataSetLibrary> data_sets_;
  concurrency::Mutex uploads_mu_;
  int64_t upload_sequence_ ABSL_GUARDED_BY(uploads_mu_) = 0;
  // Staged files a snapshot may use.
  std::deque<std::string> accepted_uploads_ ABSL_GUARDED_BY(uploads_mu_);

  // What the watcher reloads: changed by a successful LoadDataFolder.
  concurrency::Mutex watched_mu_;
  std::string watched_dir_ ABSL_GUARDED_BY(watched_mu_);
  std::optional<dataset::Day> watched_as_of_ ABSL_GUARDED_BY(watched_mu_);
  std::unique_ptr<snapshots::FolderWatcher> watcher_;

  concurrency::Mutex directory_mu_;
  std::shared_ptr<const snapshots::CustomerDirectory> directory_ ABSL_GUARDED_BY(directory_mu_);
  int64_t directory_version_ ABSL_GUARDED_BY(directory_mu_) = 0;

  concurrency::Mutex age_mu_;
  concurrency::CondVar age_wake_;
  bool stopping_ ABSL_GUARDED_BY(age_mu_) = false;
  std::thread age_thread_;
};

}  // namespace churn::ingest_service
