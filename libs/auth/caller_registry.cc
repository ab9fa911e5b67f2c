#include "auth/caller_registry.h"

#include <openssl/rand.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "digest/sha256.h"
#include "yaml-cpp/yaml.h"

namespace churn::auth {
namespace {

bool IsLowerHex(std::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-' && c != '@') return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<CallerRegistry> CallerRegistry::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read the tokens file"));
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

absl::StatusOr<CallerRegistry> CallerRegistry::Parse(std::string_view yaml,
                                                     std::string_view source_name) {
  const std::string source(source_name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(source, ":", e.mark.line + 1, ": ", e.msg));
  }
  if (!root.IsMap() || !root["tokens"] || !root["tokens"].IsSequence()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": expected a map with a list 'tokens: [{name, role, sha256}]'"));
  }
  CallerRegistry registry;
  std::set<std::string> names;
  int index = 0;
  for (const YAML::Node& item : root["tokens"]) {
    const std::string where =
        absl::StrCat(source, ":", item.Mark().line + 1, ": tokens[", index, "]");
    ++index;
    if (!item.IsMap())
      return absl::InvalidArgumentError(absl::StrCat(where, ": expected {name, role, sha256}"));
    for (const auto& field : item) {
      const std::string key = field.first.as<std::string>("");
      if (key != "name" && key != "role" && key != "sha256") {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": unknown key '", key, "' (expected name, role, sha256)"));
      }
      if (!field.second.IsScalar()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ".", key, ": expected a single value"));
      }
    }
    TokenEntry entry;
    entry.name = item["name"] ? item["name"].Scalar() : "";
    if (!IsValidName(entry.name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ".name: expected 1-64 letters, digits or . _ - @, got '", entry.name, "'"));
    }
    if (!names.insert(entry.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".name: '", entry.name, "' is listed twice"));
    }
    absl::StatusOr<Role> role = ParseRole(item["role"] ? item["role"].Scalar() : "");
    if (!role.ok())
      return absl::InvalidArgumentError(absl::StrCat(where, ".", role.status().message()));
    entry.role = *role;
    entry.sha256 = absl::AsciiStrToLower(item["sha256"] ? item["sha256"].Scalar() : "");
    if (entry.sha256.size() != 64 || !IsLowerHex(entry.sha256)) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".sha256: expected the 64 hex digits of SHA-256(token)"));
    }
    if (!registry.by_sha256_.emplace(entry.sha256, Caller{entry.name, entry.role}).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".sha256: the same token is given to two callers"));
    }
    registry.entries_.push_back(std::move(entry));
  }
  if (registry.entries_.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": 'tokens' is empty, so nobody could call the service"));
  }
  return registry;
}

std::optional<Caller> CallerRegistry::Find(std::string_view token) const {
  if (token.empty()) return std::nullopt;
  auto it = by_sha256_.find(digest::Sha256Hex(token));
  if (it == by_sha256_.end()) return std::nullopt;
  return it->second;
}

std::string FormatTokensFile(const std::vector<TokenEntry>& entries) {
  std::string text =
      "# Callers of the churn services: name, role (viewer, csm, admin, service) and the SHA-256\n"
      "# of the token. Tokens themselves are never stored here.\ntokens:\n";
  for (const TokenEntry& entry : entries) {
    // Quoted: a name may start with '@', which YAML reserves in a plain value.
    absl::StrAppend(&text, "  - {name: \"", entry.name,
                    "\", role: ", std::string(RoleName(entry.role)), ", sha256: ", entry.sha256,
                    "}\n");
  }
  return text;
}

absl::StatusOr<std::string> NewToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::InternalError("the system's random number generator is not available");
  }
  std::string token;
  absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)),
                            &token);
  return token;
}

}  // namespace churn::auth
