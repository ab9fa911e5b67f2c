#pragma once
// Which customer a ticket names. A ticket is linked only through a real key column
// (docs/PRODUCT.md "Ticket analysis"), as tickets::CustomerLinkage defines it: subscription_id /
// customer_id name the customer directly; an account_id links the ticket to every subscription
// of the account, and the account's first subscription by id is the one a streamed ticket names
// (churn.v1.TicketText has one customer_id; the churn-intent count expands it back to all of
// them). A set without a key column is a demo set; only when a user explicitly asks for it are
// its tickets spread over the customers by a synthetic, deterministic mapping: customers sorted by
// id, ticket -> customer index FNV-1a(ticket_id) % n, the same in every process and on every
// machine.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "signals/customer_signals.h"
#include "tickets/customer_linkage.h"
#include "tickets/ticket_for_analysis.h"
#include "tickets/ticket_set.h"

namespace churn::snapshots {

// 64-bit FNV-1a: stable across processes, unlike absl::Hash (which is seeded per process).
uint64_t StableHash(std::string_view text);

class CustomerDirectory {
 public:
  explicit CustomerDirectory(const std::vector<CustomerSignals>& customers);

  // `key_column` as TicketSet::key_column reports it. Empty when the key matches no customer.
  std::string Resolve(std::string_view key_column, std::string_view key) const;
  // Empty when there are no customers.
  std::string SyntheticCustomerFor(std::string_view ticket_id) const;
  // The customer a ticket of `set` names: through its key column when it has one, else through
  // the synthetic mapping when `synthetic_mapping` asks for it, else none.
  tickets::CustomerLink LinkOf(const tickets::TicketSet& set, const tickets::TicketRecord& record,
                               bool synthetic_mapping) const;

  const tickets::CustomerLinkage& linkage() const { return linkage_; }
  size_t size() const { return sorted_ids_.size(); }

 private:
  std::vector<std::string> sorted_ids_;
  tickets::CustomerLinkage linkage_;
};

}  // namespace churn::snapshots
