// Fuzzes the tokens file parser (CallerRegistry::Parse). Properties: no crash, exception or
// sanitizer report; a rejected file is INVALID_ARGUMENT naming the file; an accepted one has at
// least one caller, valid unique names, known roles and unique 64-hex-digit hashes, and the file
// FormatTokensFile writes for its entries reads back to the same entries.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "auth/caller_registry.h"
#include "fuzz_check.h"

namespace {

using churn::auth::CallerRegistry;
using churn::auth::TokenEntry;

using churn::fuzz::Check;

bool SameEntries(const std::vector<TokenEntry>& a, const std::vector<TokenEntry>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].role != b[i].role || a[i].sha256 != b[i].sha256) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<CallerRegistry> registry = CallerRegistry::Parse(yaml, "tokens.yaml");
  if (!registry.ok()) {
    Check(registry.status().code() == absl::StatusCode::kInvalidArgument, "INVALID_ARGUMENT");
    Check(absl::StartsWith(registry.status().message(), "tokens.yaml:"), "errors name the file");
    return 0;
  }
  const std::vector<TokenEntry>& entries = registry->entries();
  Check(!entries.empty(), "at least one caller");
  std::set<std::string> names;
  std::set<std::string> hashes;
  for (const TokenEntry& entry : entries) {
    Check(!entry.name.empty() && entry.name.size() <= 64, "1-64 byte names");
    for (char c : entry.name) {
      Check(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                c == '-' || c == '@',
            "name characters");
    }
    Check(entry.sha256.size() == 64, "64 hex digits");
    for (char c : entry.sha256) {
      Check(absl::ascii_isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f'),
            "lower-case hex");
    }
    Check(names.insert(entry.name).second, "unique names");
    Check(hashes.insert(entry.sha256).second, "unique hashes");
  }
  Check(!registry->Find("").has_value(), "an empty token finds nobody");

  const absl::StatusOr<CallerRegistry> again =
      CallerRegistry::Parse(churn::auth::FormatTokensFile(entries), "formatted.yaml");
  Check(again.ok(), "the formatted file reads back");
  Check(SameEntries(entries, again->entries()), "the same entries");
  return 0;
}
