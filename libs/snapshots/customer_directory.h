#pragma once
// Which customer a ticket belongs to. A ticket is linked only through a real key column
// (docs/PRODUCT.md "Ticket analysis"): subscription_id / customer_id name the customer directly; an
// account_id names the account, whose first subscription by id stands for it (one ticket counts
// once, not once per subscription). A set without a key column is a demo set; only when a user
// explicitly asks for it are its tickets spread over the customers by a synthetic, deterministic
// mapping: customers sorted by id, ticket -> customer index FNV-1a(ticket_id) % n, the same in
// every process and on every machine.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "dataset/dataset.h"
#include "signals/customer_signals.h"

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

  size_t size() const { return sorted_ids_.size(); }

 private:
  std::vector<std::string> sorted_ids_;
  absl::flat_hash_map<std::string, int32_t, dataset::IdHash, dataset::IdEq> customer_index_;
  // account_id -> index in sorted_ids_ of its first subscription by id.
  absl::flat_hash_map<std::string, int32_t, dataset::IdHash, dataset::IdEq> account_index_;
};

}  // namespace churn::snapshots
