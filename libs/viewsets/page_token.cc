#include "viewsets/page_token.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "digest/sha256.h"

namespace churn::viewsets {
namespace {

// Bumped when the layout changes, so an old token is refused rather than
// misread.
constexpr absl::string_view kFormat = "churn-page-1";

absl::Status Refused(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("page_token: ", why));
}

}  // namespace

// A token need not be secret, only unambiguous: 16 hex digits of SHA-256 make
// an accidental match of different data or filters practically impossible while
// keeping tokens short.
std::string PageTokenFingerprint(std::string_view text) {
  return digest::Sha256Hex(text).substr(0, 16);
}

PageTokenFingerprints FingerprintsOf(const PageTokenBinding& binding) {
  return {binding.list, PageTokenFingerprint(binding.data), PageTokenFingerprint(binding.filters)};
}

std::string EncodePageToken(const PageTokenBinding& binding, int64_t cursor) {
  return EncodePageToken(FingerprintsOf(binding), cursor);
}

std::string EncodePageToken(const PageTokenFingerprints& binding, int64_t cursor) {
  const std::string payload = absl::StrCat(kFormat, "|", binding.list, "|", binding.data, "|",
                                           binding.filters, "|", cursor);
  return absl::WebSafeBase64Escape(payload);
}

absl::StatusOr<int64_t> DecodePageToken(std::string_view token, const PageTokenBinding& binding) {
  return DecodePageToken(token, FingerprintsOf(binding));
}

absl::StatusOr<int64_t> DecodePageToken(std::string_view token,
                                        const PageTokenFingerprints& binding) {
  std::string payload;
  // Debian's Abseil has its own string_view type.
  if (!absl::WebSafeBase64Unescape(absl::string_view(token.data(), token.size()), &payload)) {
    return Refused("not a token this server issued");
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(payload, '|');
  int64_t cursor = 0;
  if (parts.size() != 5 || parts[0] != kFormat || !absl::SimpleAtoi(parts[4], &cursor) ||
      cursor < 0) {
    return Refused("not a token this server issued");
  }
  if (parts[1] != binding.list) {
    return Refused(
        absl::StrCat("a token of the ", parts[1], " list, not of the ", binding.list, " list"));
  }
  if (parts[2] != binding.data) {
    return Refused("page token is from an older snapshot; start from the first page");
  }
  if (parts[3] != binding.filters) {
    return Refused(
        "page token was issued for other filters or sort; start "
        "from the first page");
  }
  return cursor;
}

}  // namespace churn::viewsets
