#include "churn_intent.h"

namespace churn::gateway {

ChurnIntentSource NoLinkedTicketSets() {
  return [](const CallScope&, const v1::SnapshotInfo&) -> absl::StatusOr<ChurnIntentByCustomer> {
    return ChurnIntentByCustomer{};
  };
}

}  // namespace churn::gateway
