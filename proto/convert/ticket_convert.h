#pragma once
// Ticket text sets, ticket texts and their analyses as churn.v1 messages, and the analysers'
// inputs from them.

#include "churn/v1/common.pb.h"
#include "churn/v1/enrichment.pb.h"
#include "churn/v1/ingest.pb.h"
#include "enrichment/enrichment_result.h"
#include "snapshots/customer_directory.h"
#include "snapshots/ticket_catalog.h"
#include "tickets/ticket_analysis.h"
#include "tickets/ticket_for_analysis.h"

namespace churn::convert {

// `directory` (null before the first snapshot) checks how many keys match a customer: a set is
// linked when it has a key column and, once customers are known, at least one key matches.
void ToProto(const snapshots::TicketSetEntry& entry, const snapshots::CustomerDirectory* directory,
             v1::TicketTextSet* set);

void ToProto(const tickets::TicketForAnalysis& ticket, v1::TicketText* proto);
// The enricher's input from a streamed ticket or a single-ticket request (ticket_id as given,
// even when empty).
enrichment::TicketInput FromProto(const v1::TicketText& ticket);
enrichment::TicketInput FromProto(const v1::AnalyzeTicketRequest& request);

// The analysis fields only (summary, category, sentiment, churn_intent, recommended_action,
// source); ids, error, model and timing are the caller's.
void ToProto(const tickets::TicketAnalysis& analysis, v1::TicketAnalysis* proto);
void ToProto(const enrichment::EnrichmentResult& result, v1::TicketAnalysis* proto);

}  // namespace churn::convert
