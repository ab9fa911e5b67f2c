#pragma once
// The project's instants (absl::Time) as API timestamps: the one conversion every service uses,
// so every *_at field of the API means the same thing.

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace churn::convert {

// Exact to the nanosecond (absl::Time's finer ticks are dropped).
void ToProto(absl::Time time, google::protobuf::Timestamp* proto);
absl::Time FromProto(const google::protobuf::Timestamp& proto);

}  // namespace churn::convert
