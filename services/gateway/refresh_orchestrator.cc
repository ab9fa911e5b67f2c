#include "refresh_orchestrator.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <numeric>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/absl_compat.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "convert/assessment_convert.h"
#include "convert/second_opinion_convert.h"
#include "convert/signals_convert.h"
#include "convert/snapshot_convert.h"
#include "scoring/rule_set.h"
#include "signals/churn_intent_merge.h"
#include "status/status_macros.h"
#include "full_stream_delta.h"
#include "heap_trim.h"
#include "viewsets/view_set_bytes.h"

namespace churn::gateway {
namespace {

using service::LogField;
using service::LogInfo;
using service::LogWarn;

absl::Status Prefixed(std::string_view what, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(service::ToAbsl(what), ": ", status.message()));
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

struct RefreshOrchestrator::Attempt {
  RefreshReport report;
  std::shared_ptr<const viewsets::ViewSet> built;  // set when new views were built
  std::string ingest_error;  // ingest's last load failure (its newer data could not be used)
};

class RefreshOrchestrator::TrackedContext {
 public:
  TrackedContext(RefreshOrchestrator* owner, const CallScope& scope,
                 std::chrono::milliseconds timeout)
      : owner_(owner), context_(owner->NewContext(scope, timeout)) {}
  ~TrackedContext() { owner_->Forget(context_.get()); }
  grpc::ClientContext* get() { return context_.get(); }

 private:
  RefreshOrchestrator* owner_;
  std::unique_ptr<grpc::ClientContext> context_;
};

RefreshOrchestrator::RefreshOrchestrator(RefreshOptions options,
                                         std::shared_ptr<grpc::Channel> ingest,
                                         std::shared_ptr<grpc::Channel> scoring,
                                         ChurnIntentSource churn_intent, viewsets::ViewStore* store,
                                         GatewayMetrics* metrics)
    : options_(options),
      ingest_(v1::IngestService::NewStub(ingest)),
      scoring_(v1::ScoringService::NewStub(std::move(scoring))),
      churn_intent_(std::move(churn_intent)),
      store_(store),
      metrics_(metrics),
      snapshot_watch_(std::move(ingest), options.watch_backoff_max, [this] { PollNow(); }) {}

RefreshOrchestrator::~RefreshOrchestrator() { Stop(); }

void RefreshOrchestrator::Start() {
  poller_ = std::thread([this] { PollLoop(); });
  snapshot_watch_.Start();
}

void RefreshOrchestrator::Stop() {
  snapshot_watch_.Stop();
  {
    concurrency::MutexLock lock(poll_mu_);
    poll_stop_ = true;
  }
  poll_wake_.NotifyAll();
  {
    concurrency::MutexLock lock(contexts_mu_);
    stopping_ = true;
    for (grpc::ClientContext* context : contexts_) context->TryCancel();
  }
  if (poller_.joinable()) poller_.join();
}

std::unique_ptr<grpc::ClientContext> RefreshOrchestrator::NewContext(
    const CallScope& scope, std::chrono::milliseconds timeout) {
  std::unique_ptr<grpc::ClientContext> context = scope.NewContext(timeout);
  concurrency::MutexLock lock(contexts_mu_);
  if (stopping_) context->TryCancel();
  contexts_.insert(context.get());
  return context;
}

void RefreshOrchestrator::Forget(grpc::ClientContext* context) {
  concurrency::MutexLock lock(contexts_mu_);
  contexts_.erase(context);
}

void RefreshOrchestrator::PollLoop() {
  while (true) {
    {
      concurrency::MutexLock lock(refresh_mu_);
      (void)RunLocked(CallScope::Background(), /*reload_data=*/false, Mode::kIfChanged);
    }
    concurrency::MutexLock lock(poll_mu_);
    const auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(poll_mu_) {
      return poll_stop_ || poll_now_;
    };
    poll_wake_.WaitFor(poll_mu_, options_.interval, woken);
    if (poll_stop_) return;
    poll_now_ = false;
  }
}

void RefreshOrchestrator::PollNow() {
  {
    concurrency::MutexLock lock(poll_mu_);
    poll_now_ = true;
  }
  poll_wake_.NotifyAll();
}

absl::StatusOr<RefreshReport> RefreshOrchestrator::RefreshNow(const CallScope& scope,
                                                              bool reload_data) {
  if (scope.deadline() == CallScope::Clock::time_point::max()) {
    refresh_mu_.Lock();
  } else if (!refresh_mu_.TryLockUntil(scope.deadline())) {
    return absl::DeadlineExceededError(
        "another refresh is still running (a neighbour may be slow); try again later");
  }
  concurrency::MutexLock lock(refresh_mu_, concurrency::kAdoptLock);
  return RunLocked(scope, reload_data, Mode::kAlways);
}

absl::StatusOr<RefreshReport> RefreshOrchestrator::RunLocked(const CallScope& scope,
                                                             bool reload_data, Mode mode) {
  const auto start = std::chrono::steady_clock::now();
  refreshing_.store(true, std::memory_order_relaxed);
  absl::StatusOr<Attempt> attempt = Try(scope, reload_data, mode);
  refreshing_.store(false, std::memory_order_relaxed);
  const absl::Time now = absl::Now();
  const double seconds = SecondsSince(start);
  if (!attempt.ok()) {
    store_->RecordFailure(attempt.status(), now);
    metrics_->ObserveRefresh(RefreshResult::kError, seconds);
    UpdateFreshnessMetrics();
    const std::string error = attempt.status().ToString();
    if (error != last_logged_error_) {
      LogWarn("refresh_failed", {{"error", attempt.status()},
                                 {"mode", mode == Mode::kAlways ? "requested" : "poll"},
                                 {"serving_version", store_->Current()
                                                         ? store_->Current()->snapshot_version()
                                                         : int64_t{0}}});
      last_logged_error_ = error;
    }
    return attempt.status();
  }
  if (attempt->built) {
    store_->Publish(attempt->built, now);
    metrics_->SetViews(*attempt->built);
    metrics_->ObserveRefresh(RefreshResult::kUpdated, seconds);
    LogInfo("views_published", {{"snapshot_version", attempt->built->snapshot_version()},
                                {"customers", attempt->built->at_risk().size()},
                                {"rules_sha256", attempt->built->rules_sha256()},
                                {"seconds", seconds}});
    // Where the views' memory goes, once per process (one pass over every row).
    if (!views_bytes_logged_) {
      views_bytes_logged_ = true;
      const viewsets::ViewSetBytes bytes = viewsets::MeasureViewSet(*attempt->built);
      service::Log(service::LogLevel::kInfo, "views_bytes",
                   {{"total_mib", bytes.Total() >> 20},
                    {"rows_mib", bytes.rows >> 20},
                    {"long_views_mib", bytes.long_views >> 20},
                    {"signal_texts_mib", bytes.signal_texts >> 20},
                    {"fired_rules_mib", bytes.fired_rules >> 20},
                    {"reason_texts_mib", bytes.reason_texts >> 20},
                    {"action_texts_mib", bytes.action_texts >> 20},
                    {"second_opinions_mib", bytes.second_opinions >> 20},
                    {"customer_index_mib", bytes.customer_index >> 20},
                    {"at_risk_index_mib", bytes.at_risk_index >> 20}});
    }
    if (on_published_) on_published_(attempt->built);
    // The old views and this refresh's intermediate signals and batches are freed by now.
    ReturnFreedHeapToSystem();
  } else {
    // While ingest cannot load newer data the views are not confirmed current: the stale age
    // keeps growing from the last good check.
    if (attempt->ingest_error.empty()) store_->RecordSuccess(now);
    metrics_->ObserveRefresh(RefreshResult::kUnchanged, seconds);
  }
  if (!attempt->ingest_error.empty()) {
    // Ingest keeps serving its last good snapshot, so do we; say why newer data is missing.
    const absl::Status ingest_failure = absl::FailedPreconditionError(
        absl::StrCat("ingest: last load failed: ", attempt->ingest_error));
    store_->RecordFailure(ingest_failure, now);
    if (ingest_failure.ToString() != last_logged_error_) {
      LogWarn("ingest_load_failed", {{"error", attempt->ingest_error}});
      last_logged_error_ = ingest_failure.ToString();
    }
  } else if (!last_logged_error_.empty()) {
    LogInfo("refresh_recovered", {{"previous_error", last_logged_error_}});
    last_logged_error_.clear();
  }
  UpdateFreshnessMetrics();
  attempt->report.views = store_->Current();
  return std::move(attempt->report);
}

void RefreshOrchestrator::UpdateFreshnessMetrics() {
  const absl::Time now = absl::Now();
  std::shared_ptr<const viewsets::ViewSet> views = store_->Current();
  viewsets::Freshness freshness = store_->FreshnessOf(views.get(), now);
  metrics_->SetFreshness(store_->SecondsSinceConfirmed(now), freshness.stale);
}

absl::StatusOr<RefreshOrchestrator::Attempt> RefreshOrchestrator::Try(const CallScope& scope,
                                                                      bool reload_data,
                                                                      Mode mode) {
  Attempt attempt;
  if (reload_data) {
    TrackedContext context(this, scope, options_.reload_deadline);
    v1::LoadDataFolderResponse response;
    grpc::Status status =
        ingest_->LoadDataFolder(context.get(), v1::LoadDataFolderRequest(), &response);
    if (!status.ok()) return service::DownstreamError("ingest LoadDataFolder", status);
  }

  v1::GetSnapshotInfoResponse info;
  {
    TrackedContext context(this, scope, options_.ingest_deadline);
    grpc::Status status = ingest_->GetSnapshotInfo(context.get(), v1::GetSnapshotInfoRequest(), &info);
    if (!status.ok()) return service::DownstreamError("ingest GetSnapshotInfo", status);
  }
  attempt.report.snapshot = info.snapshot();
  // Clients see which export was loaded, not where it sits on the ingest host.
  attempt.report.snapshot.set_source_dir(
      std::filesystem::path(info.snapshot().source_dir()).filename().string());
  attempt.ingest_error = info.last_error();
  if (info.snapshot().version() == 0) {
    return absl::UnavailableError(absl::StrCat(
        "ingest has no snapshot yet",
        info.last_error().empty() ? "" : absl::StrCat(" (last load failed: ", info.last_error(), ")")));
  }

  std::shared_ptr<const viewsets::ViewSet> current = store_->Current();
  if (mode == Mode::kIfChanged && current &&
      current->BuiltFrom(info.snapshot().instance_id(), info.snapshot().version())) {
    // Same data: only new rules would change the views.
    CHURN_ASSIGN_OR_RETURN(v1::GetRulesResponse rules, GetRules(scope));
    if (rules.rules().sha256() == current->rules_sha256()) return attempt;
  }

  absl::StatusOr<std::shared_ptr<const viewsets::ViewSet>> built = Rebuild(scope, info.snapshot());
  if (!built.ok()) return built.status();
  attempt.built = *std::move(built);
  attempt.report.changed =
      !current ||
      !current->BuiltFrom(attempt.built->snapshot_instance(), attempt.built->snapshot_version()) ||
      current->rules_sha256() != attempt.built->rules_sha256();
  return attempt;
}

absl::Status RefreshOrchestrator::ScoreOneBatch(const CallScope& scope,
                                                const std::vector<CustomerSignals>& signals,
                                                const std::vector<uint32_t>& positions,
                                                size_t begin, size_t end,
                                                convert::CompactAssessmentReader* reader,
                                                BatchScores* out) {
  v1::ScoreBatchRequest request;
  request.mutable_customers()->Reserve(static_cast<int>(end - begin));
  for (size_t i = begin; i < end; ++i)
    convert::ToProto(signals[positions[i]], request.add_customers());
  {
    concurrency::MutexLock lock(expander_mu_);
    expander_.PrepareRequest(&request);
  }
  v1::ScoreBatchResponse response;
  {
    TrackedContext context(this, scope, options_.score_deadline);
    grpc::Status status = scoring_->ScoreBatch(context.get(), request, &response);
    if (!status.ok()) return service::DownstreamError("scoring ScoreBatch", status);
  }
  out->rules_sha256 = response.rules().sha256();
  out->loaded_at_seconds = response.rules().loaded_at().seconds();
  out->loaded_at_nanos = response.rules().loaded_at().nanos();
  if (response.assessments_size() == 0 && end > begin) {
    // The compact form: the assessments straight from its columns and the rules' texts (held
    // once per rules version), without the full-text protos.
    absl::StatusOr<std::shared_ptr<const convert::HeldRulesTexts>> held;
    {
      concurrency::MutexLock lock(expander_mu_);
      held = expander_.Learn(response);
    }
    if (absl::IsFailedPrecondition(held.status())) {
      // Another batch learnt newer rules meanwhile: the rules changed during the refresh.
      return absl::AbortedError("scoring rules changed during the refresh; retrying next time");
    }
    if (!held.ok()) return Prefixed("scoring ScoreBatch", held.status());
    absl::StatusOr<std::vector<scoring::Assessment>> read = reader->Read(**held, request, response);
    if (!read.ok()) return Prefixed("scoring ScoreBatch", read.status());
    out->assessments = *std::move(read);
  } else {
    // A scoring service that answers the full-text form (one that predates the compact form).
    if (response.assessments_size() != static_cast<int>(end - begin)) {
      return absl::InternalError(absl::StrCat("scoring ScoreBatch: answered ",
                                              response.assessments_size(), " assessments for ",
                                              end - begin, " customers"));
    }
    out->assessments.reserve(end - begin);
    for (size_t i = begin; i < end; ++i) {
      v1::RiskAssessment* proto = response.mutable_assessments(static_cast<int>(i - begin));
      const CustomerSignals& customer = signals[positions[i]];
      if (proto->customer_id() != customer.customer_id) {
        return absl::InternalError(absl::StrCat("scoring ScoreBatch: assessments[", i - begin,
                                                "] is for '", proto->customer_id(), "', expected '",
                                                customer.customer_id, "'"));
      }
      // The response is dropped after this loop: its texts are moved, not copied. The path is
      // only written for an error (a failed conversion leaves the proto as it was).
      absl::StatusOr<scoring::Assessment> assessment =
          convert::FromProto(proto, "assessment", reader->interner());
      if (!assessment.ok()) {
        return Prefixed(
            "scoring ScoreBatch",
            convert::FromProto(*proto, absl::StrCat("assessments[", i - begin, "]")).status());
      }
      out->assessments.push_back(*std::move(assessment));
    }
  }
  // The model's second opinions (scoring with a model_file, signals with long views).
  for (int o = 0; o < response.model_opinions_size(); ++o) {
    const v1::ModelOpinion& proto = response.model_opinions(o);
    const std::string path = absl::StrCat("model_opinions[", o, "]");
    const int64_t index = proto.customer_index();
    if (index < 0 || index >= static_cast<int64_t>(end - begin) ||
        signals[positions[begin + static_cast<size_t>(index)]].customer_id != proto.customer_id()) {
      return absl::InternalError(absl::StrCat("scoring ScoreBatch: ", path, " names '",
                                              proto.customer_id(), "' at ", index,
                                              ", not a customer of the request"));
    }
    absl::StatusOr<reports::SecondOpinion> opinion = convert::FromProto(proto, path);
    if (!opinion.ok()) return Prefixed("scoring ScoreBatch", opinion.status());
    if (out->opinions.empty()) out->opinions.resize(end - begin);
    out->opinions[static_cast<size_t>(index)] = *std::move(opinion);
  }
  return absl::OkStatus();
}

absl::StatusOr<RefreshOrchestrator::Scored> RefreshOrchestrator::ScoreAll(
    const CallScope& scope, const std::vector<CustomerSignals>& signals,
    const std::vector<uint32_t>& positions) {
  // Batch by batch, all with the same rules; a few batches in flight at once, so the conversion
  // of one overlaps scoring's work on the next.
  const size_t batch_size = static_cast<size_t>(options_.score_batch_size);
  const size_t batches = (positions.size() + batch_size - 1) / batch_size;
  std::vector<BatchScores> assessed(batches);
  std::vector<absl::Status> batch_status(batches);
  std::atomic<size_t> next_batch{0};
  std::atomic<bool> failed{false};
  // Each batch's assessments go to their slots as soon as it is read: the batches' own vectors
  // and the whole answer are never both held (at a million customers, ~150 MB more at the peak).
  Scored scored;
  scored.assessments.resize(positions.size());
  auto score_batches = [&] {
    convert::CompactAssessmentReader reader;
    for (size_t b = next_batch++; b < batches && !failed.load(); b = next_batch++) {
      const size_t begin = b * batch_size;
      const size_t end = std::min(positions.size(), begin + batch_size);
      BatchScores& batch = assessed[b];
      batch_status[b] = ScoreOneBatch(scope, signals, positions, begin, end, &reader, &batch);
      if (!batch_status[b].ok()) {
        failed = true;
        continue;
      }
      std::move(batch.assessments.begin(), batch.assessments.end(),
                scored.assessments.begin() + static_cast<std::ptrdiff_t>(begin));
      batch.assessments = {};
    }
  };
  {
    std::vector<std::thread> helpers;
    const size_t in_flight = std::min(
        batches, static_cast<size_t>(std::max<int64_t>(1, options_.score_batches_in_flight)));
    for (size_t i = 1; i < in_flight; ++i) helpers.emplace_back(score_batches);
    score_batches();
    for (std::thread& helper : helpers) helper.join();
  }
  // The first failure in batch order, as one batch after another would have met it.
  for (const absl::Status& status : batch_status) CHURN_RETURN_IF_ERROR(status);
  if (batches > 0) {
    scored.by = {assessed[0].rules_sha256, assessed[0].loaded_at_seconds,
                 assessed[0].loaded_at_nanos};
  }
  for (size_t b = 0; b < batches; ++b) {
    BatchScores& batch = assessed[b];
    if (batch.rules_sha256 != scored.by.rules_sha256) {
      // Rules were reloaded mid-way: a view mixing two rule sets would explain nothing.
      return absl::AbortedError("scoring rules changed during the refresh; retrying next time");
    }
    if (batch.loaded_at_seconds != scored.by.loaded_at_seconds ||
        batch.loaded_at_nanos != scored.by.loaded_at_nanos) {
      scored.by.loaded_at_seconds = -1;  // answered by different loads: reuse none of it later
    }
    if (!batch.opinions.empty()) {
      if (scored.opinions.empty()) scored.opinions.resize(positions.size());
      std::move(batch.opinions.begin(), batch.opinions.end(),
                scored.opinions.begin() + static_cast<std::ptrdiff_t>(b * batch_size));
    }
    batch = {};
  }
  return scored;
}

absl::StatusOr<RefreshOrchestrator::Streamed> RefreshOrchestrator::StreamSignals(
    const CallScope& scope, const v1::SnapshotInfo& info, v1::SnapshotInfo* streamed_info) {
  *streamed_info = info;
  // A delta only against views of this ingest process (versions restart with it).
  const viewsets::ViewSet* base =
      last_build_ && last_build_->views->snapshot_instance() == info.instance_id()
          ? last_build_->views.get()
          : nullptr;
  TrackedContext context(this, scope, options_.stream_signals_deadline);
  v1::StreamSignalsRequest request;
  request.set_snapshot_version(info.version());
  if (base != nullptr) request.set_base_snapshot_version(base->snapshot_version());
  std::unique_ptr<grpc::ClientReader<v1::StreamSignalsResponse>> reader =
      ingest_->StreamSignals(context.get(), request);
  v1::StreamSignalsResponse chunk;
  Streamed streamed;
  // A full stream while views are in force is folded into a delta against them as it arrives
  // (full_stream_delta.h); without views, or with repeated ids in them, every customer is held.
  std::optional<FullStreamDelta> fold;
  size_t customers = 0;  // streamed
  bool first = true;
  absl::Status invalid;
  while (reader->Read(&chunk)) {
    if (first) {
      streamed.delta = chunk.delta();
      if (!streamed.delta && last_build_ && last_build_->views->unique_ids()) {
        fold.emplace(*last_build_->views, last_build_->streamed_intent);
      } else if (!streamed.delta) {
        streamed.signals.reserve(static_cast<size_t>(std::max<int64_t>(0, info.customer_count())));
      }
      first = false;
    }
    if (chunk.has_snapshot()) *streamed_info = chunk.snapshot();
    for (std::string& id : *chunk.mutable_removed_customer_ids()) {
      streamed.removed.push_back(std::move(id));
    }
    for (const v1::CustomerSignals& customer : chunk.signals()) {
      if (!invalid.ok()) break;
      absl::StatusOr<CustomerSignals> converted =
          convert::FromProto(customer, absl::StrCat("signals[", customers, "]"));
      if (!converted.ok()) {
        invalid = converted.status();
        context.get()->TryCancel();
        break;
      }
      ++customers;
      if (fold) {
        fold->Add(*std::move(converted));
      } else {
        streamed.signals.push_back(*std::move(converted));
      }
    }
  }
  grpc::Status status = reader->Finish();
  if (!invalid.ok()) return Prefixed("ingest StreamSignals", invalid);
  if (!status.ok()) return service::DownstreamError("ingest StreamSignals", status);
  metrics_->CountRefreshCustomers(RefreshCustomers::kStreamed, customers);
  if (fold) {
    if (fold->repeated()) {
      // Not a delta of the views: the full stream, as it came.
      streamed.signals = fold->TakeAll();
      return streamed;
    }
    streamed.delta = true;
    streamed.signals = fold->TakeChanged();
    streamed.removed = fold->RemovedIds();
    metrics_->CountRefreshCustomers(RefreshCustomers::kRemoved, streamed.removed.size());
    return streamed;
  }
  if (!streamed.delta) return streamed;
  if (base == nullptr) {
    return absl::InternalError("ingest StreamSignals: a delta that was not asked for");
  }
  metrics_->CountRefreshCustomers(RefreshCustomers::kRemoved, streamed.removed.size());
  return streamed;
}

absl::StatusOr<v1::GetRulesResponse> RefreshOrchestrator::GetRules(const CallScope& scope) {
  TrackedContext context(this, scope, options_.score_deadline);
  v1::GetRulesResponse rules;
  grpc::Status status = scoring_->GetRules(context.get(), v1::GetRulesRequest(), &rules);
  if (!status.ok()) return service::DownstreamError("scoring GetRules", status);
  return rules;
}

absl::StatusOr<RefreshOrchestrator::RuleLabelMap> RefreshOrchestrator::RuleLabelsFor(
    const CallScope& scope, const std::string& rules_sha256,
    const std::optional<v1::GetRulesResponse>& known) {
  if (rules_sha256 != labels_sha256_) {
    v1::GetRulesResponse rules;
    if (known && known->rules().sha256() == rules_sha256) {
      rules = *known;
    } else {
      CHURN_ASSIGN_OR_RETURN(rules, GetRules(scope));
    }
    if (rules.rules().sha256() != rules_sha256) {
      return absl::AbortedError("scoring rules changed during the refresh; retrying next time");
    }
    absl::StatusOr<scoring::RuleSet> parsed = scoring::ParseRuleSet(rules.yaml(), "rules in force");
    if (!parsed.ok()) return Prefixed("scoring GetRules", parsed.status());
    rule_labels_ = scoring::RuleLabels(*parsed);
    labels_sha256_ = rules_sha256;
  }
  return rule_labels_;
}

absl::StatusOr<std::shared_ptr<const viewsets::ViewSet>> RefreshOrchestrator::Rebuild(
    const CallScope& scope, const v1::SnapshotInfo& info) {
  // Each stage's time, so a slow refresh says where the time went.
  auto stage_start = std::chrono::steady_clock::now();
  auto end_stage = [&](RefreshStage stage) {
    const double seconds = SecondsSince(stage_start);
    metrics_->ObserveRefreshStage(stage, seconds);
    service::Log(service::LogLevel::kDebug, "refresh_stage",
                 {{"stage", RefreshStageName(stage)}, {"seconds", seconds}});
    stage_start = std::chrono::steady_clock::now();
  };
  // 1. The snapshot's signals, pinned to the version just seen, converted (and checked) once.
  v1::SnapshotInfo streamed_info;
  CHURN_ASSIGN_OR_RETURN(Streamed streamed, StreamSignals(scope, info, &streamed_info));
  // The views in force: their rows are reused (and shared) where the signals did not change.
  const viewsets::ViewSet* previous = last_build_ ? last_build_->views.get() : nullptr;
  // A delta: the views' rows that stay and the changed signals, without copying the others.
  std::optional<AppliedDelta> delta;
  std::vector<CustomerSignals> signals;  // a full stream's
  if (streamed.delta) {
    delta = ApplySignalsDelta(*previous, std::move(streamed.signals), streamed.removed);
  } else {
    signals = std::move(streamed.signals);
  }
  streamed = {};

  end_stage(RefreshStage::kStreamSignals);
  // 2. Churn intent from analysed, linked tickets. A failing enrichment costs only that signal.
  const CustomerKeysSource keys = [&] {
    if (delta) return CustomerKeysAfter(*previous, *delta);
    std::vector<tickets::CustomerKeys> all;
    all.reserve(signals.size());
    for (const CustomerSignals& customer : signals) {
      all.push_back({customer.customer_id, customer.account_id});
    }
    return all;
  };
  absl::StatusOr<ChurnIntentByCustomer> intent = churn_intent_(scope, streamed_info, keys);
  if (!intent.ok()) LogWarn("churn_intent_unavailable", {{"error", intent.status()}});
  const ChurnIntentByCustomer no_intent;
  const ChurnIntentByCustomer& merged_intent = intent.ok() ? *intent : no_intent;
  StreamedIntent streamed_intent;
  if (delta) {
    streamed_intent =
        MergeIntentAfterDelta(*previous, last_build_->streamed_intent, merged_intent, &*delta);
    // From here on, what is scored: the changed signals.
    signals = std::move(delta->changed);
  } else if (!merged_intent.empty()) {
    std::vector<int64_t> as_streamed(signals.size());
    for (size_t i = 0; i < signals.size(); ++i) as_streamed[i] = signals[i].churn_intent_30d;
    churn::signals::MergeChurnIntent(merged_intent, signals);
    streamed_intent = IntentRaisedByMerge(as_streamed, signals);
  }

  end_stage(RefreshStage::kChurnIntent);
  // 3. Scores. A customer whose signals equal those the views in force hold keeps its row
  // (assessment and second opinion) when scoring still answers with the same rules and model;
  // the others are scored. `kept`: positions in the previous views.
  std::vector<uint32_t> kept;
  std::vector<uint32_t> to_score;
  if (delta) {
    kept = delta->Kept();
    to_score.resize(signals.size());
    std::iota(to_score.begin(), to_score.end(), 0u);
  } else {
    for (uint32_t i = 0; i < signals.size(); ++i) {
      std::optional<uint32_t> at =
          previous ? previous->FindPosition(signals[i].customer_id) : std::nullopt;
      if (at && previous->at_risk()[*at].signals == signals[i]) {
        kept.push_back(*at);
      } else {
        to_score.push_back(i);
      }
    }
  }
  CHURN_ASSIGN_OR_RETURN(Scored fresh, ScoreAll(scope, signals, to_score));
  std::optional<v1::GetRulesResponse> rules_in_force;
  if (to_score.empty()) {
    // No batch told which rules are in force; the views must still name them.
    CHURN_ASSIGN_OR_RETURN(rules_in_force, GetRules(scope));
    fresh.by = {rules_in_force->rules().sha256(), rules_in_force->rules().loaded_at().seconds(),
                rules_in_force->rules().loaded_at().nanos()};
  }
  const bool reuse =
      previous != nullptr && fresh.by.loaded_at_seconds >= 0 && fresh.by == last_build_->scored_by;
  if (!reuse && !kept.empty()) {
    // New rules or a new model (or mixed answers): everyone else is scored too, from the
    // signals the previous views hold (merged as they are now).
    std::vector<CustomerSignals> rest_signals;
    rest_signals.reserve(kept.size());
    for (uint32_t position : kept) rest_signals.push_back(previous->at_risk()[position].signals);
    std::vector<uint32_t> rest(rest_signals.size());
    std::iota(rest.begin(), rest.end(), 0u);
    CHURN_ASSIGN_OR_RETURN(Scored more, ScoreAll(scope, rest_signals, rest));
    if (more.by.rules_sha256 != fresh.by.rules_sha256) {
      return absl::AbortedError("scoring rules changed during the refresh; retrying next time");
    }
    if (!(more.by == fresh.by)) fresh.by.loaded_at_seconds = -1;
    const size_t first_rest = to_score.size();
    for (uint32_t i : rest) to_score.push_back(static_cast<uint32_t>(signals.size() + i));
    signals.insert(signals.end(), std::make_move_iterator(rest_signals.begin()),
                   std::make_move_iterator(rest_signals.end()));
    kept.clear();
    fresh.assessments.insert(fresh.assessments.end(),
                             std::make_move_iterator(more.assessments.begin()),
                             std::make_move_iterator(more.assessments.end()));
    if (!more.opinions.empty() || !fresh.opinions.empty()) {
      fresh.opinions.resize(first_rest);
      more.opinions.resize(rest.size());
      fresh.opinions.insert(fresh.opinions.end(), std::make_move_iterator(more.opinions.begin()),
                            std::make_move_iterator(more.opinions.end()));
    }
  }
  metrics_->CountRefreshCustomers(RefreshCustomers::kRescored, to_score.size());
  metrics_->CountRefreshCustomers(RefreshCustomers::kReused, kept.size());
  std::vector<reports::ScoredCustomer> scored = reports::JoinScored(
      std::move(signals), to_score, std::move(fresh.assessments), std::move(fresh.opinions));
  std::string rules_sha256 = fresh.by.rules_sha256;

  // The Drivers view names the rules as the rules file does.
  CHURN_ASSIGN_OR_RETURN(RuleLabelMap rule_labels,
                         RuleLabelsFor(scope, rules_sha256, rules_in_force));

  end_stage(RefreshStage::kScore);
  // 4. The views, built off to the side and swapped in by the caller.
  viewsets::ViewSetInputs inputs;
  convert::FromProto(streamed_info, &inputs);
  inputs.customers = std::move(scored);
  inputs.built_at = absl::Now();
  inputs.rules_sha256 = std::move(rules_sha256);
  inputs.rule_labels = std::move(rule_labels);
  // Sharing the kept rows with the previous views (and merging into their orders when few
  // changed); nothing kept: a fresh build.
  std::shared_ptr<const viewsets::ViewSet> views =
      kept.empty() ? viewsets::ViewSet::Build(std::move(inputs))
                   : viewsets::ViewSet::Update(*previous, kept, std::move(inputs));
  end_stage(RefreshStage::kBuildViews);
  last_build_ = LastBuild{views, fresh.by, std::move(streamed_intent)};
  return views;
}

}  // namespace churn::gateway
