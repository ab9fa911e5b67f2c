#pragma once
// churn.v1.CustomerSignals <-> CustomerSignals. Signals arriving over the wire are checked
// against their ranges (signals::CheckSignalRanges) on the way in: a bad value is an
// INVALID_ARGUMENT naming the field, e.g. "customers[3].usage_30d: must be >= 0, got -5".

#include <string_view>

#include "absl/status/statusor.h"
#include "churn/v1/common.pb.h"
#include "signals/customer_signals.h"

namespace churn::convert {

void ToProto(const CustomerSignals& signals, v1::CustomerSignals* proto);
// `field_path` is where the message sits in the request ("signals", "customers[3]").
absl::StatusOr<CustomerSignals> FromProto(const v1::CustomerSignals& proto,
                                          std::string_view field_path);

}  // namespace churn::convert
