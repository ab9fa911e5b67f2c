#pragma once
// Ticket text as a model may see it: sanitised, combined and capped.

#include <cstddef>
#include <string>
#include <string_view>

namespace churn::tickets {

inline constexpr size_t kDefaultMaxTicketChars = 4000;

// True when `text` is well-formed UTF-8 (RFC 3629), as protobuf strings and JSON require.
bool IsValidUtf8(std::string_view text);

// Removes NUL and control characters (keeping newlines and tabs), drops invalid UTF-8 bytes,
// collapses runs of blank lines and trims; cuts at `max_bytes` on a character boundary.
std::string SanitizeTicketText(std::string_view text, size_t max_bytes = kDefaultMaxTicketChars);

// "Subject: ...\n\n<body>" when both are present, else whichever is, sanitised and capped.
std::string CombineSubjectAndBody(std::string_view subject, std::string_view body,
                                  size_t max_bytes = kDefaultMaxTicketChars);

}  // namespace churn::tickets
