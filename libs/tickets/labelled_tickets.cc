#include "tickets/labelled_tickets.h"

#include <array>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "csv/reader.h"
#include "status/status_macros.h"
#include "tickets/ticket_text.h"

namespace churn::tickets {

namespace {
constexpr std::array<std::string_view, 5> kColumns = {"ticket_id", "subject", "body",
                                                      "churn_intent", "split"};
}  // namespace

absl::StatusOr<std::vector<LabelledTicket>> ReadLabelledTickets(const std::string& path) {
  CHURN_ASSIGN_OR_RETURN(std::unique_ptr<csv::Reader> reader, csv::Reader::OpenFile(path));
  CHURN_ASSIGN_OR_RETURN(bool has_header, reader->Next());
  if (!has_header || reader->fields().size() != kColumns.size() ||
      !std::equal(kColumns.begin(), kColumns.end(), reader->fields().begin())) {
    return csv::ErrorAt(reader->source_name(), {1, 1},
                        "header must be ticket_id,subject,body,churn_intent,split");
  }
  std::vector<LabelledTicket> tickets;
  absl::flat_hash_set<std::string> ids;
  while (true) {
    CHURN_ASSIGN_OR_RETURN(bool more, reader->Next());
    if (!more) break;
    const std::vector<std::string_view>& fields = reader->fields();
    auto error = [&](size_t column, std::string_view message) {
      return csv::ErrorAt(reader->source_name(),
                          column < fields.size() ? reader->field_position(column)
                                                 : csv::Position{reader->record_line(), 1},
                          message);
    };
    if (fields.size() != kColumns.size()) {
      return error(fields.size(),
                   absl::StrCat("expected ", kColumns.size(), " fields, got ", fields.size()));
    }
    LabelledTicket ticket;
    ticket.ticket_id = std::string(fields[0]);
    if (ticket.ticket_id.empty() || !ids.insert(ticket.ticket_id).second) {
      return error(0, absl::StrCat("ticket_id '", ticket.ticket_id, "' is empty or repeated"));
    }
    ticket.text = CombineSubjectAndBody(fields[1], fields[2]);
    if (fields[3] != "0" && fields[3] != "1") return error(3, "churn_intent must be 0 or 1");
    ticket.churn_intent = fields[3] == "1";
    if (fields[4] == "train") {
      ticket.split = TicketSplit::kTrain;
    } else if (fields[4] == "heldout") {
      ticket.split = TicketSplit::kHeldOut;
    } else {
      return error(4, "split must be train or heldout");
    }
    tickets.push_back(std::move(ticket));
  }
  return tickets;
}

std::vector<LabelledTicket> TicketsOf(const std::vector<LabelledTicket>& tickets,
                                      TicketSplit split) {
  std::vector<LabelledTicket> part;
  for (const LabelledTicket& ticket : tickets) {
    if (ticket.split == split) part.push_back(ticket);
  }
  return part;
}

std::string_view SplitName(TicketSplit split) {
  return split == TicketSplit::kTrain ? "train" : "heldout";
}

}  // namespace churn::tickets
