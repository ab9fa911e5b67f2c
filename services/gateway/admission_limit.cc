#include "admission_limit.h"

namespace churn::gateway {

std::shared_ptr<void> AdmissionLimit::TryAdmit() {
  int current = in_use_.load();
  do {
    if (current >= limit_) return nullptr;
  } while (!in_use_.compare_exchange_weak(current, current + 1));
  return std::shared_ptr<void>(this, [](AdmissionLimit* self) { self->in_use_.fetch_sub(1); });
}

}  // namespace churn::gateway
