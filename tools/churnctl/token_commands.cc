#include "token_commands.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "auth/caller_registry.h"
#include "digest/sha256.h"

namespace churnctl {
namespace {

namespace fs = std::filesystem;

int Fail(const std::string& message, int code = 1) {
  std::cerr << "churnctl: " << message << "\n";
  return code;
}

// Written aside and renamed, so a reader never sees half a file; `mode` applies before the
// content is written.
bool WriteFileAtomically(const fs::path& path, const std::string& content, mode_t mode) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc | std::ios::binary);
    if (!out) return false;
    ::chmod(tmp.c_str(), mode);
    out << content;
    if (!out.flush()) return false;
  }
  std::error_code error;
  fs::rename(tmp, path, error);
  return !error;
}

int RunInit(const churn::settings::v1::TokensFlags& flags) {
  const fs::path dir = flags.dir();
  if (dir.empty()) return Fail("tokens init needs --dir DIR", 2);
  const fs::path file = dir / "tokens.yaml";
  if (fs::exists(file)) {
    std::cout << "tokens already exist in " << dir.string() << "\n";
    return 0;
  }
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return Fail(absl::StrCat("cannot create ", dir.string(), ": ", error.message()));

  std::vector<churn::auth::TokenEntry> entries;
  // The services read their own token file; group-readable so a shared service group works.
  for (const char* name : {"ingest", "scoring", "enrichment", "gateway"}) {
    absl::StatusOr<std::string> token = churn::auth::NewToken();
    if (!token.ok()) return Fail(std::string(token.status().message()));
    const fs::path token_file = dir / absl::StrCat(name, ".token");
    if (!WriteFileAtomically(token_file, *token + "\n", 0640)) {
      return Fail(absl::StrCat("cannot write ", token_file.string()));
    }
    entries.push_back({name, churn::auth::Role::kService, churn::digest::Sha256Hex(*token)});
  }
  absl::StatusOr<std::string> admin = churn::auth::NewToken();
  if (!admin.ok()) return Fail(std::string(admin.status().message()));
  entries.push_back({"admin", churn::auth::Role::kAdmin, churn::digest::Sha256Hex(*admin)});
  // Written last: its presence means the folder is complete.
  if (!WriteFileAtomically(file, churn::auth::FormatTokensFile(entries), 0644)) {
    return Fail(absl::StrCat("cannot write ", file.string()));
  }
  std::cout << "wrote " << file.string() << " and the service tokens beside it\n"
            << "admin token: " << *admin << "\n"
            << "(shown once: keep it; add people with `churnctl tokens add`)\n";
  return 0;
}

int RunAdd(const churn::settings::v1::TokensFlags& flags) {
  const std::string& file = flags.file();
  const std::string& name = flags.name();
  const std::string& role_name = flags.role();
  if (file.empty() || name.empty() || role_name.empty()) {
    return Fail("tokens add needs --file FILE --name NAME --role viewer|csm|admin|service", 2);
  }
  absl::StatusOr<churn::auth::Role> role = churn::auth::ParseRole(role_name);
  if (!role.ok()) return Fail(std::string(role.status().message()), 2);
  std::vector<churn::auth::TokenEntry> entries;
  if (fs::exists(file)) {
    absl::StatusOr<churn::auth::CallerRegistry> existing =
        churn::auth::CallerRegistry::LoadFile(file);
    if (!existing.ok()) return Fail(std::string(existing.status().message()));
    entries = existing->entries();
  }
  absl::StatusOr<std::string> token = churn::auth::NewToken();
  if (!token.ok()) return Fail(std::string(token.status().message()));
  entries.push_back({name, *role, churn::digest::Sha256Hex(*token)});
  // Re-read through the parser, so a duplicate name is refused before anything is written.
  const std::string text = churn::auth::FormatTokensFile(entries);
  absl::StatusOr<churn::auth::CallerRegistry> checked =
      churn::auth::CallerRegistry::Parse(text, file);
  if (!checked.ok()) return Fail(std::string(checked.status().message()));
  if (!WriteFileAtomically(file, text, 0644)) return Fail(absl::StrCat("cannot write ", file));
  std::cout << name << " (" << role_name << ") token: " << *token << "\n"
            << "(shown once; the services re-read " << file << " when they restart)\n";
  return 0;
}

}  // namespace

int RunTokensCommand(const churn::settings::v1::TokensFlags& flags,
                     const std::vector<std::string>& positional) {
  if (positional.size() != 1) return Fail("tokens needs a subcommand: init or add", 2);
  if (positional[0] == "init") return RunInit(flags);
  if (positional[0] == "add") return RunAdd(flags);
  return Fail(absl::StrCat("unknown tokens subcommand '", positional[0], "' (init or add)"), 2);
}

}  // namespace churnctl
