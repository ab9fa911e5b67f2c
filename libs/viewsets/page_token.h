#pragma once
// Opaque page tokens for the gateway's paged lists. A token carries a cursor
// (an offset, an id) and what it was issued for: which list, the data it pages
// (e.g. one ViewSet) and the filters and sort. A token read against other data
// or other filters is refused with InvalidArgument instead of being applied to
// rows it was not meant for.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace churn::viewsets {

struct PageTokenBinding {
  std::string list;     // e.g. "at-risk", "outcomes": a token of one list is not
                        // read by another
  std::string data;     // identity of the data paged; empty when the cursor
                        // survives any change
  std::string filters;  // canonical text of the filters and sort
};

// A binding as its tokens carry it: the data and the filters as fingerprints (16 hex digits of
// SHA-256). Computed once, it writes and reads any number of tokens of that binding.
struct PageTokenFingerprints {
  std::string list;
  std::string data;
  std::string filters;
};
std::string PageTokenFingerprint(std::string_view text);
PageTokenFingerprints FingerprintsOf(const PageTokenBinding& binding);

// Web-safe base64, no padding. `cursor` must be >= 0.
std::string EncodePageToken(const PageTokenBinding& binding, int64_t cursor);
std::string EncodePageToken(const PageTokenFingerprints& binding, int64_t cursor);

// The cursor of a token issued for `binding`. InvalidArgument, starting
// "page_token: ", when the token is not one this server issues, is for another
// list, for other data ("page token is from an older snapshot; start from the
// first page") or for other filters or sort.
absl::StatusOr<int64_t> DecodePageToken(std::string_view token, const PageTokenBinding& binding);
absl::StatusOr<int64_t> DecodePageToken(std::string_view token,
                                        const PageTokenFingerprints& binding);

}  // namespace churn::viewsets
