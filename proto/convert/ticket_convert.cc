#include "convert/ticket_convert.h"

#include <cstdint>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "dataset/value_parsers.h"

namespace churn::convert {
namespace {

std::string FileName(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

}  // namespace

void ToProto(const snapshots::TicketSetEntry& entry, const snapshots::CustomerDirectory* directory,
             v1::TicketTextSet* set) {
  set->set_name(entry.name);
  set->set_file(FileName(entry.file));
  set->set_uploaded(entry.uploaded);
  auto warn = [&](std::string message) {
    v1::TableWarning* warning = set->add_warnings();
    warning->set_table("ticket_text");
    warning->set_file(FileName(entry.file));
    warning->set_message(std::move(message));
  };
  if (!entry.set) {
    warn(entry.error);
    return;
  }
  const tickets::TicketSet& tickets = *entry.set;
  set->set_rows(tickets.rows_total);
  set->set_text_columns(tickets.text_columns);
  set->set_key_column(tickets.key_column);
  if (static_cast<int64_t>(tickets.tickets.size()) < tickets.rows_total) {
    warn(absl::StrCat("only the first ", tickets.tickets.size(), " of ", tickets.rows_total,
                      " tickets are held"));
  }
  if (tickets.key_column.empty()) {
    set->set_linked(false);
    return;
  }
  if (directory == nullptr) {
    set->set_linked(true);  // a real key column; matching waits for the first snapshot
    return;
  }
  int64_t matched = 0;
  for (const tickets::TicketRecord& ticket : tickets.tickets) {
    if (!directory->Resolve(tickets.key_column, ticket.key).empty()) ++matched;
  }
  const auto held = static_cast<int64_t>(tickets.tickets.size());
  set->set_linked(matched > 0);
  if (matched < held) {
    warn(absl::StrCat(held - matched, " of ", held, " tickets have a ", tickets.key_column,
                      " that matches no customer (those stay unlinked)"));
  }
}

void ToProto(const tickets::TicketForAnalysis& ticket, v1::TicketText* proto) {
  proto->set_ticket_id(ticket.ticket_id);
  proto->set_customer_id(ticket.customer_id);
  proto->set_text(ticket.text);
  if (ticket.submitted) proto->set_submitted_at(dataset::FormatDate(*ticket.submitted));
  proto->set_synthetic(ticket.synthetic);
}

enrichment::TicketInput FromProto(const v1::TicketText& ticket) {
  enrichment::TicketInput input;
  input.ticket_id = ticket.ticket_id();
  input.customer_id = ticket.customer_id();
  input.subject = ticket.subject();
  input.body = ticket.body();
  input.text = ticket.text();
  return input;
}

enrichment::TicketInput FromProto(const v1::AnalyzeTicketRequest& request) {
  enrichment::TicketInput input;
  input.ticket_id = request.ticket_id();
  input.subject = request.subject();
  input.body = request.body();
  input.text = request.text();
  return input;
}

void ToProto(const tickets::TicketAnalysis& analysis, v1::TicketAnalysis* proto) {
  proto->set_summary(analysis.summary);
  proto->set_category(analysis.category);
  proto->set_sentiment(analysis.sentiment);
  proto->set_churn_intent(analysis.churn_intent);
  proto->set_recommended_action(analysis.recommended_action);
  proto->set_source(analysis.source);
}

void ToProto(const enrichment::EnrichmentResult& result, v1::TicketAnalysis* proto) {
  proto->set_ticket_id(result.ticket_id);
  proto->set_customer_id(result.customer_id);
  ToProto(result.analysis, proto);
  proto->set_error(result.error);
  proto->set_model(result.model);
  proto->set_latency_ms(result.latency.count());
  proto->set_cached(result.cached);
}

}  // namespace churn::convert
