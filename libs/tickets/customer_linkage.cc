#include "tickets/customer_linkage.h"

#include <algorithm>

namespace churn::tickets {
namespace {

const std::vector<std::string>& NoCustomers() {
  static const std::vector<std::string>* const kNone = new std::vector<std::string>();
  return *kNone;
}

}  // namespace

const std::vector<std::string>& CustomerLinkage::Find(const CustomerIndex& index,
                                                      std::string_view key) {
  if (key.empty()) return NoCustomers();
  auto it = index.find(key);
  return it == index.end() ? NoCustomers() : it->second;
}

CustomerLinkage::CustomerLinkage(const std::vector<CustomerKeys>& customers) {
  for (const CustomerKeys& customer : customers) {
    if (customer.customer_id.empty()) continue;
    // The first row of a duplicated id decides its account.
    if (!by_customer_.try_emplace(customer.customer_id, 1, customer.customer_id).second) continue;
    account_of_.emplace(customer.customer_id, customer.account_id);
    if (!customer.account_id.empty()) {
      by_account_[customer.account_id].push_back(customer.customer_id);
    }
  }
  for (auto& [account, subscriptions] : by_account_) {
    std::sort(subscriptions.begin(), subscriptions.end());
  }
}

const std::vector<std::string>& CustomerLinkage::CustomersOf(std::string_view key_column,
                                                             std::string_view key) const {
  if (key_column == "account_id") return Find(by_account_, key);
  if (key_column == "subscription_id" || key_column == "customer_id") {
    return Find(by_customer_, key);
  }
  return NoCustomers();
}

std::string CustomerLinkage::NamedCustomer(std::string_view key_column,
                                           std::string_view key) const {
  const std::vector<std::string>& customers = CustomersOf(key_column, key);
  return customers.empty() ? std::string() : customers.front();
}

const std::vector<std::string>& CustomerLinkage::CustomersNamedBy(
    std::string_view key_column, std::string_view customer_id) const {
  if (key_column != "account_id") return CustomersOf("customer_id", customer_id);
  auto account = account_of_.find(customer_id);
  if (account == account_of_.end()) return NoCustomers();
  return CustomersOf("account_id", account->second);
}

}  // namespace churn::tickets
