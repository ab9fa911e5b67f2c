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

// The same JSON in two parts: the freshness, which changes with the clock ('{"freshness":{..}'),
// and the rest, written from the rows, totals, tokens and movements only
// ('"customers":[..],..,"movements":[..]'). AppendAtRiskPageJson is head + ',' + rest + '}'.
void AppendAtRiskPageHeadJson(const AtRiskListing& listing, std::string* out);
void AppendAtRiskPageRowsJson(const AtRiskListing& listing, std::string* out);

}  // namespace churn::gateway
