#pragma once
// One ticket in, one result out: what the enricher was given and what it made of it.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "tickets/ticket_analysis.h"

namespace churn::enrichment {

// A ticket as exported: `subject` + `body` when the export has them, else `text`.
struct TicketInput {
  std::string ticket_id;
  std::string customer_id;  // echoed into the result; linkage is the caller's business
  std::string subject;
  std::string body;
  std::string text;
};

// How the model call ended (the analysis itself always has content: the model's, or the
// fallback's when the model could not give one).
enum class ModelCallOutcome {
  kOk,             // the model answered valid JSON, the cache had it, or the model is disabled
  kTimeout,        // the per-ticket deadline passed
  kInvalidOutput,  // two answers that were not schema-valid JSON
  kUnavailable,    // the model cannot be used: unreachable, not pulled, queue full
  kError,          // anything else (a runner failure, a reply that is not Ollama's, cancelled)
};

// "ok", "timeout", "invalid_output", "unavailable", "error" (the metrics' outcome label).
std::string_view ModelCallOutcomeName(ModelCallOutcome outcome);

// What the model calls of one ticket cost, summed over attempts (Ollama's own figures).
struct ModelUsage {
  int attempts = 0;  // chat requests sent (2 when the first answer was invalid)
  int64_t load_duration_ns = 0;
  int64_t prompt_eval_count = 0;
  int64_t eval_count = 0;  // tokens generated
  int64_t eval_duration_ns = 0;
};

struct EnrichmentResult {
  std::string ticket_id;
  std::string customer_id;
  // source "model" or "fallback": always set, whatever happened.
  tickets::TicketAnalysis analysis;
  ModelCallOutcome outcome = ModelCallOutcome::kOk;
  // Empty on success; else why the model's analysis is missing, e.g. "timeout_after_11s",
  // "invalid_output: ...", "model_unavailable: ...", "model_not_found: ...", "model_busy: ...".
  std::string error;
  std::string model;          // the model asked (or whose cached answer this is); "" when disabled
  bool cached = false;        // served from the result cache
  bool model_called = false;  // at least one chat request was sent
  std::chrono::milliseconds latency{0};
  ModelUsage usage;
};

}  // namespace churn::enrichment
