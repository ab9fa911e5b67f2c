#pragma once
// The project's instants (absl::Time) as API timestamps. The one conversion
// every service uses, so every *_at field of the API means the same thing.

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace churn::service {

// Exact to the nanosecond (absl::Time's finer ticks are dropped).
void TimeToProto(absl::Time time, google::protobuf::Timestamp* proto);
absl::Time TimeFromProto(const google::protobuf::Timestamp& proto);

}  // namespace churn::service
