#include "churn_intent.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "churn/v1/enrichment.grpc.pb.h"
#include "churn/v1/ingest.grpc.pb.h"
#include "common/logging.h"
#include "dataset/value_parsers.h"

namespace churn::gateway {
namespace {

using service::LogInfo;
using service::LogWarn;

absl::Status Failed(const std::string& call, const grpc::Status& status) {
  return absl::UnavailableError(call + ": " + status.error_message());
}

}  // namespace

ChurnIntentSource LinkedTicketIntent(std::shared_ptr<grpc::Channel> ingest_channel,
                                     std::shared_ptr<grpc::Channel> enrichment_channel,
                                     LinkedTicketIntentOptions options,
                                     LinkedTicketAnalyses* analyses) {
  auto ingest = std::shared_ptr<v1::IngestService::Stub>(v1::IngestService::NewStub(ingest_channel));
  auto enrichment = std::shared_ptr<v1::EnrichmentService::Stub>(
      v1::EnrichmentService::NewStub(enrichment_channel));
  return [ingest, enrichment, options, analyses](
             const CallScope& scope, const v1::SnapshotInfo& snapshot,
             const CustomerKeysSource& customers) -> absl::StatusOr<ChurnIntentByCustomer> {
    const std::optional<dataset::Day> window_end =
        dataset::ParseDate(snapshot.support_window_end());
    if (!window_end) return ChurnIntentByCustomer{};  // no support window, no 30-day window

    v1::ListTicketTextSetsResponse sets;
    {
      std::unique_ptr<grpc::ClientContext> context = scope.NewContext(options.list_deadline);
      grpc::Status status = ingest->ListTicketTextSets(context.get(), {}, &sets);
      if (!status.ok()) return Failed("ingest ListTicketTextSets", status);
    }
    // Without a linked set there is nothing to count (and no index of every customer to build).
    if (std::none_of(sets.sets().begin(), sets.sets().end(),
                     [](const v1::TicketTextSet& set) { return set.linked(); })) {
      if (analyses != nullptr) analyses->Publish({});
      return ChurnIntentByCustomer{};
    }
    tickets::ChurnIntentTally tally(customers(), *window_end);
    LinkedTicketAnalyses::ByCustomer shown;

    // One deadline for the whole pass: tickets not analysed by then count as no intent.
    const CallScope pass = CallScope::WithDeadline(
        std::min(scope.deadline(), CallScope::Clock::now() + options.pass_deadline));
    for (const v1::TicketTextSet& set : sets.sets()) {
      if (!set.linked()) continue;
      v1::AnalyzeTicketsRequest batch;
      {
        std::unique_ptr<grpc::ClientContext> context = pass.NewContext(options.pass_deadline);
        v1::StreamTicketTextsRequest request;
        request.set_set_name(set.name());
        auto reader = ingest->StreamTicketTexts(context.get(), request);
        v1::StreamTicketTextsResponse chunk;
        while (reader->Read(&chunk)) {
          for (v1::TicketText& ticket : *chunk.mutable_tickets()) {
            if (!tally.Admits(ticket.customer_id(), dataset::ParseDate(ticket.submitted_at()))) {
              continue;
            }
            *batch.add_tickets() = std::move(ticket);
          }
        }
        grpc::Status status = reader->Finish();
        if (!status.ok()) return Failed("ingest StreamTicketTexts " + set.name(), status);
      }
      if (batch.tickets_size() == 0) continue;
      absl::flat_hash_map<std::string, const v1::TicketText*> by_id;
      for (const v1::TicketText& ticket : batch.tickets()) by_id[ticket.ticket_id()] = &ticket;
      batch.set_timeout_ms(static_cast<int32_t>(options.ticket_timeout.count()));
      std::unique_ptr<grpc::ClientContext> context = pass.NewContext(options.pass_deadline);
      auto reader = enrichment->AnalyzeTickets(context.get(), batch);
      v1::AnalyzeTicketsResponse progress;
      int64_t flagged = 0, done = 0;
      while (reader->Read(&progress)) {
        ++done;
        auto it = by_id.find(progress.result().ticket_id());
        if (it == by_id.end()) continue;
        const v1::TicketText& ticket = *it->second;
        // Whichever analyser answered (a model that timed out leaves the fallback's reading).
        const bool churn_intent = progress.result().churn_intent();
        flagged += churn_intent;
        // The brief shows the ticket with every customer it counts for.
        for (const std::string& owner :
             tally.Add(set.key_column(), ticket.customer_id(),
                       dataset::ParseDate(ticket.submitted_at()), churn_intent)) {
          shown[owner].push_back(progress.result());
        }
      }
      grpc::Status status = reader->Finish();
      if (!status.ok()) {
        // A slow or missing model costs only part of this signal: keep what was analysed.
        LogWarn("churn_intent_partial", {{"set", set.name()},
                                         {"analysed", absl::StrCat(done)},
                                         {"of", absl::StrCat(batch.tickets_size())},
                                         {"error", status.error_message()}});
      }
      LogInfo("churn_intent_set", {{"set", set.name()},
                                   {"tickets", absl::StrCat(batch.tickets_size())},
                                   {"analysed", absl::StrCat(done)},
                                   {"flagged", absl::StrCat(flagged)}});
    }
    if (analyses != nullptr) analyses->Publish(std::move(shown));
    return tally.intent();
  };
}

}  // namespace churn::gateway
