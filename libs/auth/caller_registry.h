#pragma once
// The callers a service accepts, from a YAML tokens file that holds only SHA-256 hashes:
//
//   tokens:
//     - {name: ana, role: csm, sha256: 5e88...}     # 64 hex digits of SHA-256(token)
//     - {name: gateway, role: service, sha256: ...}
//
// A leaked file reveals no token. Names appear in logs and as `recorded_by` of outcomes.

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "auth/role.h"

namespace churn::auth {

struct Caller {
  std::string name;
  Role role = Role::kViewer;
};

struct TokenEntry {
  std::string name;
  Role role = Role::kViewer;
  std::string sha256;  // lower-case hex
};

class CallerRegistry {
 public:
  // Errors name the file, the line and the field ("tokens.yaml:4: tokens[1].sha256: expected 64
  // hex digits"); they never echo a hash.
  static absl::StatusOr<CallerRegistry> LoadFile(const std::string& path);
  static absl::StatusOr<CallerRegistry> Parse(std::string_view yaml, std::string_view source);

  // The caller holding `token`, if any.
  std::optional<Caller> Find(std::string_view token) const;

  const std::vector<TokenEntry>& entries() const { return entries_; }

 private:
  std::vector<TokenEntry> entries_;
  std::unordered_map<std::string, Caller> by_sha256_;
};

// The tokens file text for `entries` (what LoadFile reads back).
std::string FormatTokensFile(const std::vector<TokenEntry>& entries);

// A new random token: 32 bytes from the system's CSPRNG, URL-safe base64 without padding.
absl::StatusOr<std::string> NewToken();

}  // namespace churn::auth
