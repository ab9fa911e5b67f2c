#include "snapshots/customer_directory.h"

#include <algorithm>

namespace churn::snapshots {
namespace {

std::vector<tickets::CustomerKeys> KeysOf(const std::vector<CustomerSignals>& customers) {
  std::vector<tickets::CustomerKeys> keys;
  keys.reserve(customers.size());
  for (const CustomerSignals& customer : customers) {
    keys.push_back({customer.customer_id, customer.account_id});
  }
  return keys;
}

}  // namespace

uint64_t StableHash(std::string_view text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

CustomerDirectory::CustomerDirectory(const std::vector<CustomerSignals>& customers)
    : linkage_(KeysOf(customers)) {
  sorted_ids_.reserve(customers.size());
  for (const CustomerSignals& customer : customers) sorted_ids_.push_back(customer.customer_id);
  std::sort(sorted_ids_.begin(), sorted_ids_.end());
  // Duplicate subscription ids are kept by the loader; the mapping counts each id once.
  sorted_ids_.erase(std::unique(sorted_ids_.begin(), sorted_ids_.end()), sorted_ids_.end());
}

std::string CustomerDirectory::Resolve(std::string_view key_column, std::string_view key) const {
  return linkage_.NamedCustomer(key_column, key);
}

std::string CustomerDirectory::SyntheticCustomerFor(std::string_view ticket_id) const {
  if (sorted_ids_.empty()) return {};
  return sorted_ids_[StableHash(ticket_id) % sorted_ids_.size()];
}

tickets::CustomerLink CustomerDirectory::LinkOf(const tickets::TicketSet& set,
                                                const tickets::TicketRecord& record,
                                                bool synthetic_mapping) const {
  if (!set.key_column.empty()) return {Resolve(set.key_column, record.key), false};
  if (synthetic_mapping) return {SyntheticCustomerFor(record.ticket_id), true};
  return {};
}

}  // namespace churn::snapshots
