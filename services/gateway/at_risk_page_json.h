#pragma once
// The at-risk page's HTTP body written straight from the view set's rows: the same JSON protobuf
// prints for the ListAtRiskResponse the gRPC API returns (the .proto's field names, every field
// without presence printed, int64 as strings, enums by name, the Timestamp in RFC 3339), without
// building and printing the messages, which cost most of the request.

#include <string>

#include "at_risk_listing.h"

namespace churn::gateway {

// Appends the ListAtRiskResponse JSON of `listing` to *out.
void AppendAtRiskPageJson(const AtRiskListing& listing, std::string* out);

}  // namespace churn::gateway
