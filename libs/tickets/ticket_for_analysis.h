#pragma once
// A ticket of a ticket text set as the analysers receive it (the fields of churn.v1.TicketText):
// the one conversion from a parsed CSV row, whether ingest streams a set of its catalogue or the
// gateway analyses an uploaded CSV on its own.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dataset/value_parsers.h"
#include "tickets/ticket_set.h"

namespace churn::tickets {

// The customer a ticket names, and whether a synthetic mapping chose it.
struct CustomerLink {
  std::string customer_id;  // "" for none
  bool synthetic = false;
};

struct TicketForAnalysis {
  std::string ticket_id;
  std::string customer_id;
  std::string text;  // already sanitised and capped by the parser
  std::optional<dataset::Day> submitted;
  bool synthetic = false;
};

using CustomerLinker = std::function<CustomerLink(const TicketRecord& record)>;

// The tickets [begin, end) of `set` (clamped to what it holds), each named by `link`.
std::vector<TicketForAnalysis> TicketsForAnalysis(const TicketSet& set, size_t begin, size_t end,
                                                  const CustomerLinker& link);

// The link of an uploaded set analysed on its own: the raw key when the set has a key column
// (no customer list to check it against), else none.
CustomerLink RawKeyLink(const TicketSet& set, const TicketRecord& record);

}  // namespace churn::tickets
