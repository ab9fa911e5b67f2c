#pragma once
// TicketEnricher: ticket text in, structured analysis out, never stuck behind the model.
//
// For each ticket: sanitise (subject + body combined, control characters removed, capped), look
// the text up in the result cache, else wait for a model slot and ask the model (prompt with the
// ticket as delimited data, the JSON schema as `format`), validate the answer and retry an
// invalid one once. Every ticket has its own deadline: min(per-ticket timeout, the caller's
// deadline). Whatever goes wrong (timeout, invalid output, model missing, busy or unreachable),
// the ticket still gets an analysis: the rule-based fallback's, labelled source "fallback", with
// `error` saying why the model's is missing. With no model configured the fallback is the
// analyser. Thread-safe; Analyze and AnalyzeBatch may run concurrently and share the slots.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "concurrency/bounded_executor.h"
#include "enrichment/enrichment_observer.h"
#include "enrichment/enrichment_result.h"
#include "enrichment/model_slots.h"
#include "enrichment/result_cache.h"
#include "ollama/ollama_client.h"
#include "tickets/ticket_text.h"

namespace churn::enrichment {

struct EnricherOptions {
  std::chrono::milliseconds default_timeout{60000};  // per ticket, when the request names none
  int concurrency = 1;  // model calls at once (Ollama's default parallelism is 1)
  int max_queue = 64;   // tickets that may wait for a model slot; more get the fallback at once
  size_t max_ticket_chars = tickets::kDefaultMaxTicketChars;
  // Where a batch's extra workers (up to concurrency - 1) run, when a thread is free there; the
  // batch's caller works through the tickets in any case. Null: the caller alone.
  concurrency::BoundedExecutor* batch_helpers = nullptr;
};

struct AnalyzeOptions {
  std::chrono::milliseconds timeout{0};  // per ticket; 0 = EnricherOptions::default_timeout
  // The caller's own deadline (e.g. the gRPC deadline); every ticket ends by it.
  std::chrono::steady_clock::time_point caller_deadline =
      std::chrono::steady_clock::time_point::max();
  bool bypass_cache = false;  // neither read nor trust the cache (fresh answers are still stored)
};

struct BatchProgress {
  int done = 0;   // tickets finished, this one included
  int total = 0;  // tickets in the batch
  const EnrichmentResult& result;
};

class TicketEnricher {
 public:
  using Clock = std::chrono::steady_clock;

  // `model` null: the model is disabled and the fallback analyses everything. `cache` and
  // `observer` may be null; `observer` must outlive the enricher.
  TicketEnricher(EnricherOptions options, std::unique_ptr<ollama::OllamaClient> model,
                 std::unique_ptr<ResultCache> cache, EnrichmentObserver* observer);

  // The text the model would see: subject + body when either is set, else text; sanitised and
  // capped.
  std::string PrepareText(const TicketInput& ticket) const;

  // INVALID_ARGUMENT when the ticket has no text once sanitised; otherwise a result, whose
  // `outcome` and `error` say how the model call went.
  absl::StatusOr<EnrichmentResult> Analyze(const TicketInput& ticket, const AnalyzeOptions& options,
                                           std::stop_token stop = {});

  // Analyses `tickets` with at most `concurrency` at once (the caller plus helpers on
  // `batch_helpers`), calling `on_result` once per finished
  // ticket (serialised, in finishing order) with the progress. A ticket without text yields a
  // result with error "empty_text"; a slow one its timeout, and the batch goes on. Returns when
  // every ticket is done or `stop` was requested (tickets cut short by it are not reported).
  // Returns the number reported.
  int AnalyzeBatch(const std::vector<TicketInput>& tickets, const AnalyzeOptions& options,
                   std::stop_token stop,
                   const std::function<void(const BatchProgress&)>& on_result);

  bool model_enabled() const { return model_ != nullptr; }
  const std::string& model_name() const { return model_name_; }
  const ollama::OllamaClient* model_client() const { return model_.get(); }
  const EnricherOptions& options() const { return options_; }

 private:
  // The model path for one ticket with a known text; fills `result` except timing.
  void AnalyzeWithModel(const std::string& text, Clock::time_point deadline,
                        std::chrono::milliseconds timeout, bool bypass_cache, std::stop_token stop,
                        EnrichmentResult& result);
  void Finish(EnrichmentResult& result, Clock::time_point started);

  const EnricherOptions options_;
  const std::unique_ptr<ollama::OllamaClient> model_;
  const std::string model_name_;
  const std::unique_ptr<ResultCache> cache_;
  EnrichmentObserver* const observer_;
  ModelSlots slots_;
};

}  // namespace churn::enrichment
