#pragma once
// Which customers a linked ticket counts for (docs/PRODUCT.md "Ticket analysis", linkage): an
// account_id key links the ticket to every subscription of the account, subscription_id and
// customer_id to that one customer; any other key column links nothing. The one definition that
// ingest (which customer a streamed ticket names) and the churn_intent_30d count both follow.
//
// A streamed ticket names one customer (churn.v1.TicketText.customer_id): for an account key,
// the account's first subscription by id stands for the account, and CustomersNamedBy expands
// it back to every subscription.

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "dataset/dataset.h"

namespace churn::tickets {

struct CustomerKeys {
  std::string customer_id;
  std::string account_id;
};

class CustomerLinkage {
 public:
  // Duplicate customer ids (the loader keeps duplicate rows) count once.
  explicit CustomerLinkage(const std::vector<CustomerKeys>& customers);

  // The customers a ticket keyed `key_column` = `key` counts for, sorted by id; empty when the
  // column is not a real key or the key matches no customer.
  const std::vector<std::string>& CustomersOf(std::string_view key_column,
                                              std::string_view key) const;
  // The one customer a streamed ticket names: the first of CustomersOf ("" for none).
  std::string NamedCustomer(std::string_view key_column, std::string_view key) const;
  // CustomersOf the ticket of a set keyed `key_column` that names `customer_id`.
  const std::vector<std::string>& CustomersNamedBy(std::string_view key_column,
                                                   std::string_view customer_id) const;

 private:
  // Keyed by std::string, looked up by std::string_view.
  template <typename Value>
  using IdMap = absl::flat_hash_map<std::string, Value, dataset::IdHash, dataset::IdEq>;
  using CustomerIndex = IdMap<std::vector<std::string>>;

  static const std::vector<std::string>& Find(const CustomerIndex& index, std::string_view key);

  CustomerIndex by_account_;
  CustomerIndex by_customer_;  // each customer -> {that customer}
  IdMap<std::string> account_of_;
};

}  // namespace churn::tickets
