#pragma once
// The hand-labelled tickets of libs/tickets/data/labelled_tickets.csv (see its README): the
// train part teaches the intent classifier, the held-out part only measures it.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace churn::tickets {

enum class TicketSplit { kTrain, kHeldOut };

struct LabelledTicket {
  std::string ticket_id;
  std::string text;  // CombineSubjectAndBody(subject, body): what an analyser is given
  bool churn_intent = false;
  TicketSplit split = TicketSplit::kTrain;
};

// Reads a CSV with the columns ticket_id, subject, body, churn_intent (0/1) and split
// (train/heldout). Errors name the file, line and column of the first bad value.
absl::StatusOr<std::vector<LabelledTicket>> ReadLabelledTickets(const std::string& path);

// The tickets of one split, in file order.
std::vector<LabelledTicket> TicketsOf(const std::vector<LabelledTicket>& tickets,
                                      TicketSplit split);

std::string_view SplitName(TicketSplit split);

}  // namespace churn::tickets
