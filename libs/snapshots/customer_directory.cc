#include "snapshots/customer_directory.h"

#include <algorithm>

namespace churn::snapshots {

uint64_t StableHash(std::string_view text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

CustomerDirectory::CustomerDirectory(const std::vector<CustomerSignals>& customers) {
  std::vector<std::pair<std::string, std::string>> ids;  // (customer_id, account_id)
  ids.reserve(customers.size());
  for (const CustomerSignals& customer : customers) {
    ids.emplace_back(customer.customer_id, customer.account_id);
  }
  std::sort(ids.begin(), ids.end());
  // Duplicate subscription ids are kept by the loader; the mapping counts each id once.
  ids.erase(std::unique(ids.begin(), ids.end(),
                        [](const auto& a, const auto& b) { return a.first == b.first; }),
            ids.end());
  sorted_ids_.reserve(ids.size());
  for (const auto& [customer_id, account_id] : ids) {
    const auto index = static_cast<int32_t>(sorted_ids_.size());
    sorted_ids_.push_back(customer_id);
    customer_index_.try_emplace(customer_id, index);
    if (!account_id.empty()) account_index_.try_emplace(account_id, index);  // first by id wins
  }
}

std::string CustomerDirectory::Resolve(std::string_view key_column, std::string_view key) const {
  if (key.empty()) return {};
  const auto& index = key_column == "account_id" ? account_index_ : customer_index_;
  if (key_column != "account_id" && key_column != "customer_id" &&
      key_column != "subscription_id") {
    return {};
  }
  auto it = index.find(key);
  return it == index.end() ? std::string() : sorted_ids_[it->second];
}

std::string CustomerDirectory::SyntheticCustomerFor(std::string_view ticket_id) const {
  if (sorted_ids_.empty()) return {};
  return sorted_ids_[StableHash(ticket_id) % sorted_ids_.size()];
}

}  // namespace churn::snapshots
