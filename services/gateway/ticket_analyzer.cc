#include "ticket_analyzer.h"

#include <chrono>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/absl_compat.h"
#include "common/grpc_status.h"
#include "convert/ticket_convert.h"
#include "tickets/fallback_analyzer.h"
#include "tickets/ticket_for_analysis.h"
#include "tickets/ticket_set.h"
#include "tickets/ticket_text.h"

namespace churn::gateway {
namespace {

// Enrichment answers a ticket that hit its own per-ticket timeout itself (as an analysis with
// `error` set); this margin lets that answer arrive before the gateway's deadline fires.
constexpr std::chrono::milliseconds kEnrichmentReplyMargin{5000};

// A short machine-readable error first, as enrichment's own errors are ("timeout_after_11s").
std::string FallbackError(const absl::Status& why) {
  std::string kind;
  switch (why.code()) {
    case absl::StatusCode::kUnavailable: kind = "enrichment_unavailable"; break;
    case absl::StatusCode::kDeadlineExceeded: kind = "enrichment_timeout"; break;
    case absl::StatusCode::kCancelled: kind = "enrichment_cancelled"; break;
    default: kind = "enrichment_error"; break;
  }
  return absl::StrCat(kind, ": ", why.message());
}

v1::AnalyzeTicketRequest AsRequest(const v1::TicketText& ticket) {
  v1::AnalyzeTicketRequest request;
  request.set_ticket_id(ticket.ticket_id());
  request.set_subject(ticket.subject());
  request.set_body(ticket.body());
  request.set_text(ticket.text());
  return request;
}

struct TicketBatch {
  std::vector<v1::TicketText> tickets;
  std::string text_columns;
  bool linked = false;
};

}  // namespace

TicketAnalyzer::TicketAnalyzer(TicketAnalyzerOptions options, std::shared_ptr<grpc::Channel> ingest,
                               std::shared_ptr<grpc::Channel> enrichment, GatewayMetrics* metrics)
    : options_(options),
      ingest_(v1::IngestService::NewStub(std::move(ingest))),
      enrichment_(v1::EnrichmentService::NewStub(std::move(enrichment))),
      metrics_(metrics) {}

absl::Status TicketAnalyzer::Validate(const v1::AnalyzeTicketTextRequest& request) {
  auto blank = [](const std::string& text) { return absl::StripAsciiWhitespace(text).empty(); };
  if (blank(request.subject()) && blank(request.body()) && blank(request.text())) {
    return absl::InvalidArgumentError("text: a subject, body or text is required");
  }
  if (request.timeout_ms() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("timeout_ms: must be >= 0, got ", request.timeout_ms()));
  }
  return absl::OkStatus();
}

v1::AnalyzeTicketRequest TicketAnalyzer::EnrichmentRequest(
    const v1::AnalyzeTicketTextRequest& request) {
  v1::AnalyzeTicketRequest enrichment;
  enrichment.set_subject(request.subject());
  enrichment.set_body(request.body());
  enrichment.set_text(request.text());
  enrichment.set_timeout_ms(request.timeout_ms());
  enrichment.set_ticket_id(request.ticket_id());
  // A cached answer is as good as a fresh one for a user; only operators bypass the cache,
  // directly on the enrichment service.
  enrichment.set_bypass_cache(false);
  return enrichment;
}

v1::TicketAnalysis TicketAnalyzer::Fallback(const v1::AnalyzeTicketRequest& request,
                                            const absl::Status& why) {
  const auto start = std::chrono::steady_clock::now();
  const std::string text =
      !request.subject().empty() || !request.body().empty()
          ? tickets::CombineSubjectAndBody(request.subject(), request.body())
          : tickets::SanitizeTicketText(request.text());
  v1::TicketAnalysis proto;
  proto.set_ticket_id(request.ticket_id());
  convert::ToProto(tickets::AnalyzeWithRules(text), &proto);
  proto.set_error(FallbackError(why));
  proto.set_latency_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count());
  return proto;
}

bool TicketAnalyzer::UseFallbackFor(const absl::Status& status) {
  // A request enrichment refuses is the caller's mistake: the fallback would hide it.
  return status.code() != absl::StatusCode::kInvalidArgument;
}

std::chrono::milliseconds TicketAnalyzer::TicketDeadline(int32_t timeout_ms) const {
  if (timeout_ms > 0) return std::chrono::milliseconds(timeout_ms) + kEnrichmentReplyMargin;
  return options_.analyze_ticket_deadline;
}

absl::StatusOr<v1::AnalyzeTicketTextResponse> TicketAnalyzer::Analyze(
    const CallScope& scope, const v1::AnalyzeTicketTextRequest& request) {
  if (absl::Status s = Validate(request); !s.ok()) return s;
  const v1::AnalyzeTicketRequest enrichment_request = EnrichmentRequest(request);
  std::unique_ptr<grpc::ClientContext> context =
      scope.NewContext(TicketDeadline(request.timeout_ms()));
  v1::AnalyzeTicketResponse enrichment_response;
  grpc::Status status =
      enrichment_->AnalyzeTicket(context.get(), enrichment_request, &enrichment_response);
  v1::AnalyzeTicketTextResponse response;
  if (status.ok()) {
    metrics_->CountTicketAnalysis(enrichment_response.analysis().source() == "fallback");
    *response.mutable_analysis() = std::move(*enrichment_response.mutable_analysis());
    return response;
  }
  absl::Status failure = service::DownstreamError("enrichment AnalyzeTicket", status);
  if (!UseFallbackFor(failure)) return failure;
  *response.mutable_analysis() = Fallback(enrichment_request, failure);
  metrics_->CountTicketAnalysis(/*fallback=*/true);
  return response;
}

void TicketAnalyzer::AnalyzeAsync(const CallScope& scope,
                                  const v1::AnalyzeTicketTextRequest& request,
                                  v1::AnalyzeTicketTextResponse* response,
                                  std::function<void(absl::Status)> done) {
  if (absl::Status s = Validate(request); !s.ok()) {
    done(s);
    return;
  }
  // Owned by the completion callback: the context, request and enrichment's answer live until
  // the call is over.
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    v1::AnalyzeTicketRequest request;
    v1::AnalyzeTicketResponse response;
  };
  auto call = std::make_shared<Call>();
  call->context = scope.NewContext(TicketDeadline(request.timeout_ms()));
  call->request = EnrichmentRequest(request);
  enrichment_->async()->AnalyzeTicket(
      call->context.get(), &call->request, &call->response,
      [this, call, response, done = std::move(done)](grpc::Status status) {
        if (status.ok()) {
          metrics_->CountTicketAnalysis(call->response.analysis().source() == "fallback");
          *response->mutable_analysis() = std::move(*call->response.mutable_analysis());
          done(absl::OkStatus());
          return;
        }
        absl::Status failure = service::DownstreamError("enrichment AnalyzeTicket", status);
        if (!UseFallbackFor(failure)) {
          done(failure);
          return;
        }
        *response->mutable_analysis() = Fallback(call->request, failure);
        metrics_->CountTicketAnalysis(/*fallback=*/true);
        done(absl::OkStatus());
      });
}

absl::StatusOr<v1::ListTicketTextSetsResponse> TicketAnalyzer::ListSets(const CallScope& scope) {
  std::unique_ptr<grpc::ClientContext> context = scope.NewContext(options_.ingest_deadline);
  v1::ListTicketTextSetsResponse response;
  grpc::Status status =
      ingest_->ListTicketTextSets(context.get(), v1::ListTicketTextSetsRequest(), &response);
  if (!status.ok()) return service::DownstreamError("ingest ListTicketTextSets", status);
  return response;
}

absl::Status TicketAnalyzer::AnalyzeSet(const CallScope& scope,
                                        const v1::AnalyzeTicketSetRequest& request,
                                        const EmitProgress& emit) {
  if (request.limit() < 0) {
    return absl::InvalidArgumentError(absl::StrCat("limit: must be >= 0, got ", request.limit()));
  }
  if (request.timeout_ms() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("timeout_ms: must be >= 0, got ", request.timeout_ms()));
  }

  // 1. The tickets: from ingest's catalogue, or parsed from the upload here.
  TicketBatch batch;
  switch (request.source_case()) {
    case v1::AnalyzeTicketSetRequest::kSetName: {
      if (request.set_name().empty()) return absl::InvalidArgumentError("set_name: required");
      std::unique_ptr<grpc::ClientContext> context = scope.NewContext(options_.analyze_set_deadline);
      v1::StreamTicketTextsRequest texts_request;
      texts_request.set_set_name(request.set_name());
      texts_request.set_limit(request.limit());
      std::unique_ptr<grpc::ClientReader<v1::StreamTicketTextsResponse>> reader =
          ingest_->StreamTicketTexts(context.get(), texts_request);
      v1::StreamTicketTextsResponse chunk;
      while (reader->Read(&chunk)) {
        if (chunk.has_set()) {
          batch.text_columns = chunk.set().text_columns();
          batch.linked = chunk.set().linked();
        }
        for (v1::TicketText& ticket : *chunk.mutable_tickets()) {
          batch.tickets.push_back(std::move(ticket));
        }
      }
      grpc::Status status = reader->Finish();
      if (!status.ok()) return service::DownstreamError("ingest StreamTicketTexts", status);
      break;
    }
    case v1::AnalyzeTicketSetRequest::kCsvUpload: {
      const std::string& csv = request.csv_upload();
      if (static_cast<int64_t>(csv.size()) > options_.max_upload_bytes) {
        return absl::ResourceExhaustedError(absl::StrCat("csv_upload: ", csv.size(),
                                                         " bytes, at most ",
                                                         options_.max_upload_bytes));
      }
      tickets::TicketSetOptions parse_options;
      if (request.limit() > 0) parse_options.max_tickets = request.limit();
      absl::StatusOr<tickets::TicketSet> set = tickets::ParseTicketSet(
          csv, request.file_name().empty() ? std::string("upload.csv") : request.file_name(),
          parse_options);
      if (!set.ok()) return set.status();
      batch.text_columns = set->text_columns;
      batch.linked = !set->key_column.empty();
      const std::vector<tickets::TicketForAnalysis> parsed = tickets::TicketsForAnalysis(
          *set, 0, set->tickets.size(),
          [&](const tickets::TicketRecord& record) { return tickets::RawKeyLink(*set, record); });
      for (const tickets::TicketForAnalysis& ticket : parsed) {
        convert::ToProto(ticket, &batch.tickets.emplace_back());
      }
      break;
    }
    case v1::AnalyzeTicketSetRequest::SOURCE_NOT_SET:
      return absl::InvalidArgumentError("set_name or csv_upload: required");
  }
  if (request.limit() > 0 && batch.tickets.size() > static_cast<size_t>(request.limit())) {
    batch.tickets.resize(static_cast<size_t>(request.limit()));
  }

  const int32_t total = static_cast<int32_t>(batch.tickets.size());
  int32_t done = 0;
  // The first message also says where the text came from and whether it is linked.
  auto progress = [&](v1::TicketAnalysis result) {
    v1::AnalyzeTicketSetResponse message;
    message.set_done(++done);
    message.set_total(total);
    if (done == 1) {
      message.set_text_columns(batch.text_columns);
      message.set_linked(batch.linked);
    }
    *message.mutable_result() = std::move(result);
    return emit(message);
  };
  if (total == 0) {
    v1::AnalyzeTicketSetResponse message;
    message.set_text_columns(batch.text_columns);
    message.set_linked(batch.linked);
    emit(message);
    return absl::OkStatus();
  }

  // 2. Enrichment, one message per finished ticket.
  absl::flat_hash_set<std::string> answered;
  absl::Status failure;
  {
    std::unique_ptr<grpc::ClientContext> context = scope.NewContext(options_.analyze_set_deadline);
    v1::AnalyzeTicketsRequest analyze_request;
    analyze_request.mutable_tickets()->Reserve(total);
    for (const v1::TicketText& ticket : batch.tickets) *analyze_request.add_tickets() = ticket;
    analyze_request.set_timeout_ms(request.timeout_ms());
    std::unique_ptr<grpc::ClientReader<v1::AnalyzeTicketsResponse>> reader =
        enrichment_->AnalyzeTickets(context.get(), analyze_request);
    v1::AnalyzeTicketsResponse message;
    while (reader->Read(&message)) {
      answered.insert(message.result().ticket_id());
      metrics_->CountTicketAnalysis(message.result().source() == "fallback");
      if (!progress(std::move(*message.mutable_result()))) {
        context->TryCancel();
        (void)reader->Finish();
        return absl::CancelledError("the client stopped reading the progress");
      }
    }
    grpc::Status status = reader->Finish();
    if (status.ok()) return absl::OkStatus();
    failure = service::DownstreamError("enrichment AnalyzeTickets", status);
  }
  if (!UseFallbackFor(failure) || scope.expired()) return failure;

  // 3. What enrichment did not answer, from the fallback, labelled with the failure.
  for (const v1::TicketText& ticket : batch.tickets) {
    if (answered.contains(ticket.ticket_id())) continue;
    v1::TicketAnalysis result = Fallback(AsRequest(ticket), failure);
    result.set_customer_id(ticket.customer_id());
    metrics_->CountTicketAnalysis(/*fallback=*/true);
    if (!progress(std::move(result))) {
      return absl::CancelledError("the client stopped reading the progress");
    }
  }
  return absl::OkStatus();
}

}  // namespace churn::gateway
