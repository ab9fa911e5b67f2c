#include "risk_history_recorder.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "convert/assessment_convert.h"
#include "riskhistory/backfill_plan.h"
#include "riskhistory/customer_id_map.h"
#include "status/status_macros.h"
#include "heap_trim.h"

namespace churn::gateway {
namespace {

using service::LogInfo;
using service::LogWarn;

// A failed backfill date waits this many pauses (at least a few seconds) before its retry.
constexpr int kRetryPauses = 20;
constexpr std::chrono::milliseconds kMinRetryWait{5000};
constexpr std::chrono::milliseconds kBusyRecheck{100};
// Entries a live write holds at once.
constexpr size_t kLiveWriteChunk = 10000;

// Nice 19 for this thread only (Linux: the nice value is per thread), so its conversions and
// SQLite work yield the CPU to the threads serving requests.
void LowerThisThreadsPriority() {
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 19);
}

}  // namespace

dataset::Day SnapshotDateOf(const viewsets::ViewSet& views) {
  if (views.usage_window_end()) return *views.usage_window_end();
  if (views.support_window_end()) return *views.support_window_end();
  return static_cast<dataset::Day>(absl::ToUnixSeconds(views.built_at()) / 86400);
}

RiskHistoryRecorder::RiskHistoryRecorder(RiskHistoryOptions options,
                                         riskhistory::RiskHistoryStore* store, RiskTrends* trends,
                                         std::shared_ptr<grpc::Channel> ingest,
                                         std::shared_ptr<grpc::Channel> scoring,
                                         GatewayMetrics* metrics)
    : options_(options),
      store_(store),
      trends_(trends),
      metrics_(metrics),
      ingest_(v1::IngestService::NewStub(std::move(ingest))),
      scoring_(v1::ScoringService::NewStub(std::move(scoring))) {}

RiskHistoryRecorder::~RiskHistoryRecorder() { Stop(); }

void RiskHistoryRecorder::Start() {
  if (absl::Status read = trends_->Reload(); !read.ok()) {
    LogWarn("risk_history_unreadable", {{"error", read}});
  }
  thread_ = std::thread([this] { Run(); });
}

void RiskHistoryRecorder::Stop() {
  {
    concurrency::MutexLock lock(mu_);
    stop_ = true;
    if (in_flight_ != nullptr) in_flight_->TryCancel();
  }
  wake_.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

void RiskHistoryRecorder::Record(std::shared_ptr<const viewsets::ViewSet> views) {
  {
    concurrency::MutexLock lock(mu_);
    pending_ = std::move(views);
  }
  wake_.NotifyAll();
}

void RiskHistoryRecorder::Run() {
  LowerThisThreadsPriority();
  auto next_backfill = std::chrono::steady_clock::now();
  while (true) {
    std::shared_ptr<const viewsets::ViewSet> views;
    {
      concurrency::MutexLock lock(mu_);
      const auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stop_ || pending_ != nullptr;
      };
      if (backfill_.empty()) {
        wake_.Wait(mu_, ready);
      } else {
        wake_.WaitUntil(mu_, next_backfill, ready);
      }
      if (stop_) return;
      views = std::move(pending_);
      pending_ = nullptr;
    }
    if (views) {
      WriteLive(std::move(views));
      continue;  // newer views first, then the backfill resumes
    }
    if (backfill_.empty() || std::chrono::steady_clock::now() < next_backfill) continue;
    if (busy_ && busy_()) {
      // A refresh needs ingest and scoring now: look again shortly.
      next_backfill = std::chrono::steady_clock::now() + kBusyRecheck;
      continue;
    }
    const dataset::Day date = backfill_.front();
    const auto start = std::chrono::steady_clock::now();
    absl::Status replayed = BackfillOne(date);
    if (replayed.ok()) {
      backfill_.erase(backfill_.begin());
      LogInfo("risk_history_backfilled",
              {{"as_of", dataset::FormatDate(date)},
               {"remaining", backfill_.size()},
               {"seconds",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()}});
      ReloadMovements();
      ReturnFreedHeapToSystem();  // the replayed date's signals and scores
      next_backfill = std::chrono::steady_clock::now() + options_.backfill_pause;
    } else {
      LogWarn("risk_history_backfill_failed",
              {{"as_of", dataset::FormatDate(date)}, {"error", replayed}});
      next_backfill = std::chrono::steady_clock::now() +
                      std::max(kMinRetryWait, options_.backfill_pause * kRetryPauses);
    }
  }
}

namespace {

// What the history keeps of each row of a view set, packed (ids in one buffer, rule ids as
// small numbers): about 20 bytes a customer, so the views themselves can be let go before the
// write, which at a million customers takes long enough for another refresh to publish.
class PackedRows {
 public:
  void Add(const reports::ScoredCustomer& row) {
    AddRow(row.signals.customer_id, row.assessment.risk_score, row.assessment.risk_level);
    for (const scoring::FiredRule& fired : row.assessment.fired_rules) AddRule(fired.rule);
  }
  // A row, then its fired rules (AddRule) in rule order.
  void AddRow(std::string_view customer_id, int score, scoring::RiskLevel level) {
    ids_.append(customer_id);
    id_ends_.push_back(ids_.size());
    scores_.push_back(score);
    levels_.push_back(level);
    rule_ends_.push_back(rules_.size());
  }
  void AddRule(const std::string& rule) {
    auto [it, inserted] = rule_ids_.try_emplace(rule, rule_names_.size());
    if (inserted) rule_names_.push_back(rule);
    rules_.push_back(it->second);
    rule_ends_.back() = rules_.size();
  }
  size_t size() const { return scores_.size(); }
  // Appends rows [*next, ...) to `chunk`, at most `limit`.
  void Fill(size_t* next, size_t limit, std::vector<riskhistory::HistoryEntry>* chunk) const {
    for (; *next < size() && chunk->size() < limit; ++*next) {
      const size_t i = *next;
      riskhistory::HistoryEntry& entry = chunk->emplace_back();
      const size_t id_begin = i == 0 ? 0 : id_ends_[i - 1];
      entry.customer_id = ids_.substr(id_begin, id_ends_[i] - id_begin);
      entry.score = scores_[i];
      entry.level = levels_[i];
      for (size_t r = i == 0 ? 0 : rule_ends_[i - 1]; r < rule_ends_[i]; ++r) {
        entry.fired_rules.push_back(rule_names_[rules_[r]]);
      }
    }
  }

 private:
  std::string ids_;
  std::vector<size_t> id_ends_;
  std::vector<int> scores_;
  std::vector<scoring::RiskLevel> levels_;
  absl::flat_hash_map<std::string, uint32_t> rule_ids_;
  std::vector<std::string> rule_names_;
  std::vector<uint32_t> rules_;
  std::vector<size_t> rule_ends_;
};

}  // namespace

void RiskHistoryRecorder::WriteLive(std::shared_ptr<const viewsets::ViewSet> views) {
  const dataset::Day date = SnapshotDateOf(*views);
  PackedRows rows;
  const bool unique_ids = views->unique_ids();  // the usual case: no lookup per row
  for (const reports::ScoredCustomer& customer : views->at_risk()) {
    // A repeated id is the customer FindCustomer answers for: its first row in at-risk order.
    if (unique_ids || views->FindCustomer(customer.signals.customer_id) == &customer) {
      rows.Add(customer);
    }
  }
  views = nullptr;  // this thread no longer keeps them alive once newer views replace them
  // Written a chunk at a time: a million entries held at once would cost more than the rows.
  size_t next_row = 0;
  auto next = [&](std::vector<riskhistory::HistoryEntry>* chunk) {
    {
      // A shutdown does not wait for the rest of a long write: it is rolled back.
      concurrency::MutexLock lock(mu_);
      if (stop_) return absl::CancelledError("risk history: stopping");
    }
    rows.Fill(&next_row, kLiveWriteChunk, chunk);
    return absl::OkStatus();
  };
  const int64_t customers = static_cast<int64_t>(rows.size());
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<riskhistory::WrittenRows> written = store_->WriteSnapshotFrom(date, next);
  if (!written.ok()) {
    LogWarn("risk_history_write_failed",
            {{"date", dataset::FormatDate(date)}, {"error", written.status()}});
    return;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics_->ObserveHistoryWrite(written->whole_date, seconds, written->stored, written->removed);
  LogInfo("risk_history_written", {{"date", dataset::FormatDate(date)},
                                   {"customers", customers},
                                   {"whole_date", written->whole_date},
                                   {"rows_stored", written->stored},
                                   {"rows_removed", written->removed},
                                   {"seconds", seconds}});
  // Rows as they were: the movements read from them are too.
  if (written->whole_date || written->stored > 0 || written->removed > 0) ReloadMovements();
  ReturnFreedHeapToSystem();  // the packed rows, and the movements replaced
  if (!planned_) PlanBackfill(date);
}

void RiskHistoryRecorder::ReloadMovements() {
  if (absl::Status read = trends_->Reload(); !read.ok()) {
    LogWarn("risk_history_unreadable", {{"error", read}});
    return;
  }
  if (on_movements_reloaded_) on_movements_reloaded_();
}

void RiskHistoryRecorder::PlanBackfill(dataset::Day live_date) {
  if (options_.backfill_days <= 0) {
    planned_ = true;
    return;
  }
  absl::StatusOr<std::optional<dataset::Day>> anchor = store_->BackfillAnchor();
  if (!anchor.ok()) {
    LogWarn("risk_history_unreadable", {{"error", anchor.status()}});
    return;  // planned on the next write
  }
  if (!anchor->has_value()) {
    if (absl::Status stored = store_->SetBackfillAnchor(live_date); !stored.ok()) {
      LogWarn("risk_history_write_failed", {{"error", stored}});
      return;
    }
    *anchor = live_date;
  }
  absl::StatusOr<std::vector<dataset::Day>> stored = store_->SnapshotDates();
  if (!stored.ok()) {
    LogWarn("risk_history_unreadable", {{"error", stored.status()}});
    return;
  }
  int64_t span = options_.backfill_days;
  if (options_.retention_days > 0) span = std::min(span, options_.retention_days);
  backfill_ = riskhistory::BackfillDates(**anchor, static_cast<int>(span), *stored);
  planned_ = true;
  LogInfo("risk_history_backfill_planned", {{"anchor", dataset::FormatDate(**anchor)},
                                            {"dates", backfill_.size()},
                                            {"stored_dates", stored->size()}});
}

std::unique_ptr<grpc::ClientContext> RiskHistoryRecorder::NewContext(
    std::chrono::milliseconds timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  concurrency::MutexLock lock(mu_);
  if (stop_) context->TryCancel();
  in_flight_ = context.get();
  return context;
}

void RiskHistoryRecorder::Forget() {
  concurrency::MutexLock lock(mu_);
  in_flight_ = nullptr;
}

absl::Status RiskHistoryRecorder::BackfillOne(dataset::Day date) {
  // 1. The population of that day with its signals, from ingest, kept as the bytes received: a
  // million parsed messages take several times that in small blocks, which the heap keeps
  // resident after they are freed.
  std::vector<std::string> chunks;
  {
    std::unique_ptr<grpc::ClientContext> context = NewContext(options_.stream_signals_deadline);
    v1::StreamSignalsRequest request;
    request.set_as_of(dataset::FormatDate(date));
    std::unique_ptr<grpc::ClientReader<v1::StreamSignalsResponse>> reader =
        ingest_->StreamSignals(context.get(), request);
    v1::StreamSignalsResponse chunk;
    while (reader->Read(&chunk)) chunks.push_back(chunk.SerializeAsString());
    grpc::Status status = reader->Finish();
    Forget();
    if (!status.ok()) return service::DownstreamError("ingest StreamSignals (as_of)", status);
  }
  // 2. Their scores, in small batches, packed as a live write packs the views' rows (the first
  // row of a repeated id counts).
  PackedRows rows;
  riskhistory::CustomerIdMap<uint8_t> seen;
  const size_t batch = static_cast<size_t>(std::max<int64_t>(1, options_.score_batch_size));
  v1::ScoreBatchRequest request;
  auto score = [&]() -> absl::Status {
    if (request.customers_size() == 0) return absl::OkStatus();
    v1::ScoreBatchResponse response;
    std::unique_ptr<grpc::ClientContext> context = NewContext(options_.score_deadline);
    grpc::Status status = scoring_->ScoreBatch(context.get(), request, &response);
    Forget();
    if (!status.ok()) return service::DownstreamError("scoring ScoreBatch", status);
    if (response.assessments_size() != request.customers_size()) {
      return absl::InternalError(absl::StrCat("scoring ScoreBatch: answered ",
                                              response.assessments_size(), " assessments for ",
                                              request.customers_size(), " customers"));
    }
    for (int i = 0; i < response.assessments_size(); ++i) {
      const v1::RiskAssessment& assessment = response.assessments(i);
      if (!seen.try_emplace(assessment.customer_id(), 1).second) continue;
      absl::StatusOr<scoring::RiskLevel> level =
          convert::FromProto(assessment.risk_level(), absl::StrCat("assessments[", i, "]"));
      if (!level.ok()) return level.status();
      rows.AddRow(assessment.customer_id(), assessment.risk_score(), *level);
      for (const v1::FiredRule& fired : assessment.fired_rules()) rows.AddRule(fired.rule());
    }
    request.Clear();
    return absl::OkStatus();
  };
  v1::StreamSignalsResponse chunk;
  for (std::string& bytes : chunks) {
    if (!chunk.ParseFromString(bytes)) {
      return absl::InternalError("ingest StreamSignals (as_of): a chunk no longer parses");
    }
    std::string().swap(bytes);  // each chunk's bytes go as soon as they are parsed
    for (v1::CustomerSignals& customer : *chunk.mutable_signals()) {
      *request.add_customers() = std::move(customer);
      if (static_cast<size_t>(request.customers_size()) >= batch) CHURN_RETURN_IF_ERROR(score());
    }
  }
  CHURN_RETURN_IF_ERROR(score());
  chunks = {};
  chunk.Clear();
  // 3. Stored under that date (a date the live views wrote meanwhile is not overwritten), a
  // chunk of entries at a time.
  absl::StatusOr<std::vector<dataset::Day>> stored = store_->SnapshotDates();
  if (!stored.ok()) return stored.status();
  if (std::find(stored->begin(), stored->end(), date) != stored->end()) return absl::OkStatus();
  size_t next_row = 0;
  return store_
      ->WriteSnapshotFrom(date,
                          [&](std::vector<riskhistory::HistoryEntry>* entries) {
                            {
                              concurrency::MutexLock lock(mu_);
                              if (stop_) return absl::CancelledError("risk history: stopping");
                            }
                            rows.Fill(&next_row, kLiveWriteChunk, entries);
                            return absl::OkStatus();
                          })
      .status();
}

}  // namespace churn::gateway
