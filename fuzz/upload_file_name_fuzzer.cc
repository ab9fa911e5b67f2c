// Fuzzes the name an uploaded file is stored under (SafeUploadFileName), whatever name the
// client sent. Properties: the result is one plain file name (not empty, at most 100 bytes, only
// letters, digits, '.', '-' and '_', no '/', no "..", not starting with a dot), making it safe
// again changes nothing, and the staging path built from it stays directly inside the uploads
// folder.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "auth/upload_file_name.h"
#include "fuzz_check.h"

namespace {

using churn::fuzz::Check;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view name(reinterpret_cast<const char*>(data), size);
  const std::string safe = churn::auth::SafeUploadFileName(name);

  Check(!safe.empty(), "not empty");
  Check(safe.size() <= churn::auth::kMaxUploadFileNameBytes, "capped");
  for (char c : safe) {
    Check(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_',
          "only letters, digits, '.', '-' and '_'");
  }
  Check(safe.find('/') == std::string::npos, "no '/'");
  Check(safe.find("..") == std::string::npos, "no '..'");
  Check(safe.front() != '.', "no leading dot");
  Check(churn::auth::SafeUploadFileName(safe) == safe, "idempotent");

  // As the ingest service stages uploads: "<uploads>/<sequence>-<name>".
  const std::filesystem::path uploads("/var/lib/churn/uploads");
  const std::filesystem::path staged = (uploads / ("7-" + safe)).lexically_normal();
  Check(staged.parent_path() == uploads, "staged directly inside the uploads folder");
  Check(staged.filename() == "7-" + safe, "staged under its own name");
  return 0;
}
