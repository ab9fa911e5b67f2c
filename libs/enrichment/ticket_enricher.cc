#include "enrichment/ticket_enricher.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"
#include "concurrency/mutex.h"
#include "enrichment/analysis_schema.h"
#include "enrichment/ticket_prompt.h"
#include "tickets/fallback_analyzer.h"

namespace churn::enrichment {
namespace {

using Clock = std::chrono::steady_clock;

// "timeout_after_11s": the ticket's timeout in whole seconds, rounded up, as the dashboard's
// "Timeout per ticket" shows it.
std::string TimeoutError(std::chrono::milliseconds timeout) {
  const int64_t seconds = (std::max<int64_t>(0, timeout.count()) + 999) / 1000;
  return absl::StrCat("timeout_after_", seconds, "s");
}

// The fallback's analysis, and why the model's is missing.
void UseFallback(const std::string& text, const absl::Status& why,
                 std::chrono::milliseconds timeout, EnrichmentResult& result) {
  result.analysis = tickets::AnalyzeWithRules(text);
  const std::string message(why.message());
  switch (why.code()) {
    case absl::StatusCode::kDeadlineExceeded:
      result.outcome = ModelCallOutcome::kTimeout;
      result.error = TimeoutError(timeout);
      break;
    case absl::StatusCode::kFailedPrecondition:
      result.outcome = ModelCallOutcome::kUnavailable;
      result.error = absl::StrCat("model_not_found: ", message);
      break;
    case absl::StatusCode::kResourceExhausted:
      result.outcome = ModelCallOutcome::kUnavailable;
      result.error = absl::StrCat("model_busy: ", message);
      break;
    case absl::StatusCode::kUnavailable:
      result.outcome = ModelCallOutcome::kUnavailable;
      result.error = absl::StrCat("model_unavailable: ", message);
      break;
    case absl::StatusCode::kCancelled:
      result.outcome = ModelCallOutcome::kError;
      result.error = "cancelled";
      break;
    default:
      result.outcome = ModelCallOutcome::kError;
      result.error = absl::StrCat("model_error: ", message);
      break;
  }
}

// Counts a ticket in flight for as long as it lives.
class InFlight {
 public:
  explicit InFlight(EnrichmentObserver* observer) : observer_(observer) {
    if (observer_ != nullptr) observer_->OnInFlightChanged(+1);
  }
  ~InFlight() {
    if (observer_ != nullptr) observer_->OnInFlightChanged(-1);
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  EnrichmentObserver* observer_;
};

}  // namespace

TicketEnricher::TicketEnricher(EnricherOptions options, std::unique_ptr<ollama::OllamaClient> model,
                               std::unique_ptr<ResultCache> cache, EnrichmentObserver* observer)
    : options_(std::move(options)),
      model_(std::move(model)),
      model_name_(model_ ? model_->options().model : std::string()),
      cache_(std::move(cache)),
      observer_(observer),
      slots_(options_.concurrency, options_.max_queue, observer) {}

std::string TicketEnricher::PrepareText(const TicketInput& ticket) const {
  if (!ticket.subject.empty() || !ticket.body.empty()) {
    return tickets::CombineSubjectAndBody(ticket.subject, ticket.body, options_.max_ticket_chars);
  }
  return tickets::SanitizeTicketText(ticket.text, options_.max_ticket_chars);
}

absl::StatusOr<EnrichmentResult> TicketEnricher::Analyze(const TicketInput& ticket,
                                                         const AnalyzeOptions& options,
                                                         std::stop_token stop) {
  const Clock::time_point started = Clock::now();
  const std::string text = PrepareText(ticket);
  if (text.empty()) {
    return absl::InvalidArgumentError(
        "ticket has no text (subject, body and text are empty once sanitised)");
  }
  InFlight in_flight(observer_);
  EnrichmentResult result;
  result.ticket_id = ticket.ticket_id;
  result.customer_id = ticket.customer_id;
  if (!model_) {
    result.analysis = tickets::AnalyzeWithRules(text);
    Finish(result, started);
    return result;
  }
  const std::chrono::milliseconds timeout = options.timeout > std::chrono::milliseconds::zero()
                                                ? options.timeout
                                                : options_.default_timeout;
  const Clock::time_point deadline = std::min(started + timeout, options.caller_deadline);
  // The timeout actually granted (the caller's deadline may cut it), rounded up to a millisecond.
  const auto granted = std::chrono::ceil<std::chrono::milliseconds>(
      std::max(Clock::duration::zero(), deadline - started));
  AnalyzeWithModel(text, deadline, granted, options.bypass_cache, std::move(stop), result);
  Finish(result, started);
  return result;
}

void TicketEnricher::AnalyzeWithModel(const std::string& text, Clock::time_point deadline,
                                      std::chrono::milliseconds timeout, bool bypass_cache,
                                      std::stop_token stop, EnrichmentResult& result) {
  result.model = model_name_;
  const CacheKey key = CacheKey::For(model_name_, kPromptVersion, text);
  if (cache_ && !bypass_cache) {
    absl::StatusOr<std::optional<tickets::TicketAnalysis>> cached = cache_->Lookup(key);
    if (!cached.ok()) {
      if (observer_ != nullptr) observer_->OnCacheError(cached.status());
    } else if (cached->has_value()) {
      result.analysis = **std::move(cached);
      result.cached = true;
      result.outcome = ModelCallOutcome::kOk;
      if (observer_ != nullptr) observer_->OnCacheHit();
      return;
    }
  }

  absl::StatusOr<ModelSlots::Lease> slot = slots_.Acquire(deadline, stop);
  if (!slot.ok()) {
    UseFallback(text, slot.status(), timeout, result);
    return;
  }
  ollama::ChatRequest request = TicketChatRequest(text);
  constexpr int kAttempts = 2;  // an invalid answer is retried once
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    result.model_called = true;
    absl::StatusOr<ollama::ChatReply> reply = model_->Chat(request, deadline, stop);
    if (!reply.ok()) {
      UseFallback(text, reply.status(), timeout, result);
      return;
    }
    ++result.usage.attempts;
    result.usage.load_duration_ns += reply->load_duration_ns;
    result.usage.prompt_eval_count += reply->prompt_eval_count;
    result.usage.eval_count += reply->eval_count;
    result.usage.eval_duration_ns += reply->eval_duration_ns;

    absl::StatusOr<tickets::TicketAnalysis> analysis = ParseModelAnalysis(reply->content);
    if (analysis.ok()) {
      result.analysis = *std::move(analysis);
      result.outcome = ModelCallOutcome::kOk;
      result.error.clear();
      if (cache_) {
        if (absl::Status stored = cache_->Store(key, result.analysis);
            !stored.ok() && observer_ != nullptr) {
          observer_->OnCacheError(stored);
        }
      }
      return;
    }
    std::string problem(analysis.status().message());
    if (reply->done_reason == "length") absl::StrAppend(&problem, " (cut off at num_predict)");
    if (attempt == kAttempts) {
      result.analysis = tickets::AnalyzeWithRules(text);
      result.outcome = ModelCallOutcome::kInvalidOutput;
      result.error = absl::StrCat("invalid_output: ", problem);
      return;
    }
    request = RetryChatRequest(text, reply->content, problem);
  }
}

void TicketEnricher::Finish(EnrichmentResult& result, Clock::time_point started) {
  result.latency = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  if (observer_ != nullptr) observer_->OnTicketFinished(result);
}

int TicketEnricher::AnalyzeBatch(const std::vector<TicketInput>& tickets,
                                 const AnalyzeOptions& options, std::stop_token stop,
                                 const std::function<void(const BatchProgress&)>& on_result) {
  const int total = static_cast<int>(tickets.size());
  std::atomic<int> next{0};
  struct Reported {
    concurrency::Mutex mu;
    int done ABSL_GUARDED_BY(mu) = 0;
  } reported;

  auto work = [&] {
    while (!stop.stop_requested()) {
      const int index = next.fetch_add(1);
      if (index >= total) return;
      const TicketInput& ticket = tickets[index];
      EnrichmentResult result;
      absl::StatusOr<EnrichmentResult> analysed = Analyze(ticket, options, stop);
      if (analysed.ok()) {
        result = *std::move(analysed);
      } else {
        const Clock::time_point started = Clock::now();
        result.ticket_id = ticket.ticket_id;
        result.customer_id = ticket.customer_id;
        result.analysis = tickets::AnalyzeWithRules("");
        result.outcome = ModelCallOutcome::kError;
        result.error = "empty_text";
        Finish(result, started);
      }
      if (result.error == "cancelled") return;
      concurrency::MutexLock lock(reported.mu);
      ++reported.done;
      on_result(BatchProgress{reported.done, total, result});
    }
  };

  const int workers = std::clamp(options_.concurrency, 1, std::max(1, total));
  // Helpers are started only on a free thread (never queued), and the caller waits for those that
  // started: a queued helper could wait for threads that all run batches waiting for helpers.
  struct Helpers {
    concurrency::Mutex mu;
    concurrency::CondVar all_done;
    int running ABSL_GUARDED_BY(mu) = 0;
  } helpers;
  for (int i = 1; i < workers && options_.batch_helpers != nullptr; ++i) {
    {
      concurrency::MutexLock lock(helpers.mu);
      ++helpers.running;
    }
    const bool started = options_.batch_helpers->TryRunNow([&] {
      work();
      concurrency::MutexLock lock(helpers.mu);
      if (--helpers.running == 0) helpers.all_done.NotifyAll();
    });
    if (!started) {
      concurrency::MutexLock lock(helpers.mu);
      --helpers.running;
      break;  // fewer workers, same results
    }
  }
  work();
  concurrency::MutexLock helpers_lock(helpers.mu);
  helpers.all_done.Wait(
      helpers.mu, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(helpers.mu) { return helpers.running == 0; });
  concurrency::MutexLock reported_lock(reported.mu);
  return reported.done;
}

}  // namespace churn::enrichment
