#pragma once
// The analyses of linked tickets behind churn_intent_30d, per customer, as of the last rebuild:
// the customer brief shows them, with the analyser that produced each (model or fallback).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "churn/v1/common.pb.h"
#include "concurrency/mutex.h"

namespace churn::gateway {

class LinkedTicketAnalyses {
 public:
  using ByCustomer = std::map<std::string, std::vector<v1::TicketAnalysis>>;

  void Publish(ByCustomer analyses) {
    auto published = std::make_shared<const ByCustomer>(std::move(analyses));
    concurrency::MutexLock lock(mutex_);
    current_ = std::move(published);
  }

  std::vector<v1::TicketAnalysis> For(const std::string& customer_id) const {
    std::shared_ptr<const ByCustomer> current;
    {
      concurrency::MutexLock lock(mutex_);
      current = current_;
    }
    if (current == nullptr) return {};
    auto it = current->find(customer_id);
    return it == current->end() ? std::vector<v1::TicketAnalysis>{} : it->second;
  }

 private:
  mutable concurrency::Mutex mutex_;
  std::shared_ptr<const ByCustomer> current_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace churn::gateway
