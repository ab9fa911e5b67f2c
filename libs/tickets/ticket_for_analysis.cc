#include "tickets/ticket_for_analysis.h"

#include <algorithm>

namespace churn::tickets {

std::vector<TicketForAnalysis> TicketsForAnalysis(const TicketSet& set, size_t begin, size_t end,
                                                  const CustomerLinker& link) {
  end = std::min(end, set.tickets.size());
  std::vector<TicketForAnalysis> tickets;
  if (begin >= end) return tickets;
  tickets.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) {
    const TicketRecord& record = set.tickets[i];
    CustomerLink customer = link(record);
    tickets.push_back({record.ticket_id, std::move(customer.customer_id), record.text,
                       record.submitted, customer.synthetic});
  }
  return tickets;
}

CustomerLink RawKeyLink(const TicketSet& set, const TicketRecord& record) {
  return {set.key_column.empty() ? std::string() : record.key, false};
}

}  // namespace churn::tickets
