#include "enrichment_service.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <stop_token>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "concurrency/mutex.h"

namespace churn::enrichment_service {
namespace {

using enrichment::AnalyzeOptions;
using enrichment::EnrichmentResult;
using enrichment::TicketEnricher;
using enrichment::TicketInput;
using service::LogField;
using SteadyClock = std::chrono::steady_clock;

// The caller's gRPC deadline on the steady clock the enricher uses ("none" stays none), less a
// margin for the answer to travel back: a ticket that times out at the caller's deadline
// exactly would reach the caller as DEADLINE_EXCEEDED instead of as its timeout result.
SteadyClock::time_point CallerDeadline(const grpc::CallbackServerContext* context) {
  const auto remaining = std::chrono::duration_cast<SteadyClock::duration>(
      context->deadline() - std::chrono::system_clock::now());
  if (remaining > std::chrono::hours(24 * 365)) return SteadyClock::time_point::max();
  const SteadyClock::duration margin =
      std::min<SteadyClock::duration>(remaining / 10, std::chrono::milliseconds(100));
  return SteadyClock::now() + remaining - margin;
}

absl::Status CheckTimeout(int32_t timeout_ms) {
  if (timeout_ms < 0) {
    return absl::InvalidArgumentError(absl::StrCat("timeout_ms: must be >= 0, got ", timeout_ms));
  }
  return absl::OkStatus();
}

AnalyzeOptions OptionsFor(const grpc::CallbackServerContext* context, int32_t timeout_ms,
                          bool bypass_cache) {
  AnalyzeOptions options;
  options.timeout = std::chrono::milliseconds(timeout_ms);
  options.caller_deadline = CallerDeadline(context);
  options.bypass_cache = bypass_cache;
  return options;
}

void LogResult(const EnrichmentResult& result) {
  const service::LogLevel level = result.outcome == enrichment::ModelCallOutcome::kOk
                                      ? service::LogLevel::kDebug
                                      : service::LogLevel::kInfo;
  service::Log(level, "ticket_analyzed",
               {{"ticket_id", result.ticket_id},
                {"outcome", std::string(enrichment::ModelCallOutcomeName(result.outcome))},
                {"source", result.analysis.source},
                {"cached", result.cached},
                {"latency_ms", static_cast<int64_t>(result.latency.count())},
                {"attempts", result.usage.attempts},
                {"eval_count", result.usage.eval_count},
                {"error", result.error}});
}

// A reactor whose work runs on the executor is freed when both gRPC is done with it (OnDone) and
// its task has ended, whichever comes last: the task may still be returning from the call that
// finished the RPC.
class SharedReactorLife {
 public:
  // Counts the task; false (nothing counted) when the executor refused it.
  template <typename Body>
  absl::Status StartTask(concurrency::BoundedExecutor* executor, Body body) {
    holders_.fetch_add(1);
    absl::Status submitted = executor->Submit(std::move(body));
    if (!submitted.ok()) holders_.fetch_sub(1);
    return submitted;
  }
  // True for the last holder, which frees the reactor.
  bool Release() { return holders_.fetch_sub(1) == 1; }

 private:
  std::atomic<int> holders_{1};  // gRPC's, until OnDone
};

class AnalyzeTicketReactor final : public grpc::ServerUnaryReactor {
 public:
  AnalyzeTicketReactor(TicketEnricher* enricher, concurrency::BoundedExecutor* executor,
                       TicketInput ticket, AnalyzeOptions options,
                       v1::AnalyzeTicketResponse* response)
      : enricher_(enricher), ticket_(std::move(ticket)), options_(options), response_(response) {
    absl::Status started = life_.StartTask(executor, [this] {
      Run();
      if (life_.Release()) delete this;
    });
    if (!started.ok()) Finish(service::ToGrpcStatus(started));
  }

  void OnCancel() override { stop_.request_stop(); }

  void OnDone() override {
    if (life_.Release()) delete this;
  }

 private:
  void Run() {
    absl::StatusOr<EnrichmentResult> result =
        enricher_->Analyze(ticket_, options_, stop_.get_token());
    if (!result.ok()) {
      Finish(service::ToGrpcStatus(result.status()));
      return;
    }
    LogResult(*result);
    ResultToProto(*result, response_->mutable_analysis());
    Finish(grpc::Status::OK);
  }

  TicketEnricher* const enricher_;
  const TicketInput ticket_;
  const AnalyzeOptions options_;
  v1::AnalyzeTicketResponse* const response_;
  std::stop_source stop_;
  SharedReactorLife life_;
};

// One message per finished ticket, written one at a time (gRPC allows one outstanding write);
// results that arrive meanwhile wait in `pending_`.
class AnalyzeTicketsReactor final : public grpc::ServerWriteReactor<v1::AnalyzeTicketsResponse> {
 public:
  AnalyzeTicketsReactor(TicketEnricher* enricher, concurrency::BoundedExecutor* executor,
                        std::vector<TicketInput> tickets, AnalyzeOptions options)
      : enricher_(enricher), tickets_(std::move(tickets)), options_(options) {
    absl::Status started = life_.StartTask(executor, [this] {
      Run();
      if (life_.Release()) delete this;
    });
    if (!started.ok()) Finish(service::ToGrpcStatus(started));
  }

  void OnCancel() override { stop_.request_stop(); }

  void OnWriteDone(bool ok) override {
    {
      concurrency::MutexLock lock(mu_);
      writing_ = false;
      if (!ok) {  // the client is gone: stop analysing for nobody
        client_gone_ = true;
        pending_.clear();
      }
    }
    if (!ok) stop_.request_stop();
    Pump();
  }

  void OnDone() override {
    if (life_.Release()) delete this;
  }

 private:
  void Run() {
    const auto started = SteadyClock::now();
    const int reported = enricher_->AnalyzeBatch(
        tickets_, options_, stop_.get_token(), [this](const enrichment::BatchProgress& step) {
          LogResult(step.result);
          v1::AnalyzeTicketsResponse message;
          message.set_done(step.done);
          message.set_total(step.total);
          ResultToProto(step.result, message.mutable_result());
          {
            concurrency::MutexLock lock(mu_);
            if (!client_gone_) pending_.push_back(std::move(message));
          }
          Pump();
        });
    const bool cancelled = stop_.stop_requested();
    service::LogInfo(
        "batch_finished",
        {{"tickets", static_cast<int64_t>(tickets_.size())},
         {"reported", reported},
         {"cancelled", cancelled},
         {"elapsed_ms", static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 SteadyClock::now() - started)
                                                 .count())}});
    {
      concurrency::MutexLock lock(mu_);
      batch_done_ = true;
      final_status_ = cancelled ? grpc::Status(grpc::StatusCode::CANCELLED, "batch cancelled")
                                : grpc::Status::OK;
    }
    Pump();
  }

  // Starts the next write, or finishes once the batch is done and everything is written.
  // gRPC calls are made outside the lock: a reaction may run inline and take it.
  void Pump() ABSL_LOCKS_EXCLUDED(mu_) {
    bool write = false;
    grpc::Status finish_status;
    {
      concurrency::MutexLock lock(mu_);
      if (writing_ || finished_) return;
      if (!pending_.empty()) {
        current_ = std::move(pending_.front());
        pending_.pop_front();
        writing_ = true;
        write = true;
      } else if (batch_done_) {
        finished_ = true;
        finish_status = final_status_;
      } else {
        return;
      }
    }
    if (write) {
      StartWrite(&current_);
    } else {
      Finish(finish_status);
    }
  }

  TicketEnricher* const enricher_;
  const std::vector<TicketInput> tickets_;
  const AnalyzeOptions options_;
  std::stop_source stop_;
  SharedReactorLife life_;
  concurrency::Mutex mu_;
  std::deque<v1::AnalyzeTicketsResponse> pending_ ABSL_GUARDED_BY(mu_);
  v1::AnalyzeTicketsResponse current_;  // the message being written
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool batch_done_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool client_gone_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status final_status_ ABSL_GUARDED_BY(mu_);
};

template <typename Reactor>
Reactor* RejectedWith(Reactor* reactor, const absl::Status& status) {
  reactor->Finish(service::ToGrpcStatus(status));
  return reactor;
}

// A write reactor that only reports an error.
class RejectedStream final : public grpc::ServerWriteReactor<v1::AnalyzeTicketsResponse> {
 public:
  explicit RejectedStream(const absl::Status& status) { Finish(service::ToGrpcStatus(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

void ResultToProto(const EnrichmentResult& result, v1::TicketAnalysis* proto) {
  proto->set_ticket_id(result.ticket_id);
  proto->set_customer_id(result.customer_id);
  proto->set_summary(result.analysis.summary);
  proto->set_category(result.analysis.category);
  proto->set_sentiment(result.analysis.sentiment);
  proto->set_churn_intent(result.analysis.churn_intent);
  proto->set_recommended_action(result.analysis.recommended_action);
  proto->set_source(result.analysis.source);
  proto->set_error(result.error);
  proto->set_model(result.model);
  proto->set_latency_ms(result.latency.count());
  proto->set_cached(result.cached);
}

EnrichmentService::EnrichmentService(EnrichmentServiceOptions options, TicketEnricher* enricher,
                                     concurrency::BoundedExecutor* executor)
    : options_(options), enricher_(enricher), executor_(executor) {}

grpc::ServerUnaryReactor* EnrichmentService::AnalyzeTicket(grpc::CallbackServerContext* context,
                                                           const v1::AnalyzeTicketRequest* request,
                                                           v1::AnalyzeTicketResponse* response) {
  if (absl::Status status = CheckTimeout(request->timeout_ms()); !status.ok()) {
    return RejectedWith(context->DefaultReactor(), status);
  }
  TicketInput ticket;
  ticket.ticket_id = request->ticket_id();
  ticket.subject = request->subject();
  ticket.body = request->body();
  ticket.text = request->text();
  AnalyzeOptions options = OptionsFor(context, request->timeout_ms(), request->bypass_cache());
  // The ticket's timeout runs from now: waiting for a worker thread is part of it.
  const std::chrono::milliseconds timeout =
      options.timeout.count() > 0 ? options.timeout : enricher_->options().default_timeout;
  options.caller_deadline = std::min(options.caller_deadline, SteadyClock::now() + timeout);
  return new AnalyzeTicketReactor(enricher_, executor_, std::move(ticket), options, response);
}

grpc::ServerWriteReactor<v1::AnalyzeTicketsResponse>* EnrichmentService::AnalyzeTickets(
    grpc::CallbackServerContext* context, const v1::AnalyzeTicketsRequest* request) {
  if (absl::Status status = CheckTimeout(request->timeout_ms()); !status.ok()) {
    return new RejectedStream(status);
  }
  if (request->limit() < 0) {
    return new RejectedStream(absl::InvalidArgumentError(
        absl::StrCat("limit: must be >= 0 (0 = all), got ", request->limit())));
  }
  const int64_t count = request->limit() > 0
                            ? std::min<int64_t>(request->limit(), request->tickets_size())
                            : request->tickets_size();
  if (count > options_.max_batch) {
    return new RejectedStream(absl::InvalidArgumentError(
        absl::StrCat("tickets: at most ", options_.max_batch, " per request, got ", count)));
  }
  std::vector<TicketInput> tickets;
  tickets.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    const v1::TicketText& text = request->tickets(i);
    TicketInput& ticket = tickets.emplace_back();
    ticket.ticket_id = text.ticket_id().empty() ? absl::StrCat("ticket-", i + 1) : text.ticket_id();
    ticket.customer_id = text.customer_id();
    ticket.subject = text.subject();
    ticket.body = text.body();
    ticket.text = text.text();
  }
  service::LogInfo("batch_started", {{"tickets", count}, {"timeout_ms", request->timeout_ms()}});
  return new AnalyzeTicketsReactor(
      enricher_, executor_, std::move(tickets),
      OptionsFor(context, request->timeout_ms(), request->bypass_cache()));
}

}  // namespace churn::enrichment_service
