// Fuzzes taking the tables out of an uploaded zip (data_sets::ExtractZipBytes): libzip parses
// the archive, the extractor decides what is written where. Properties, whatever the bytes: no
// crash; nothing is ever written outside the destination folder; on success every file written
// is one returned, a plain safe ".csv" name directly inside the destination, the returned sizes
// are the files' sizes and together stay within the inflated limit.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "auth/upload_file_name.h"
#include "data_sets/zip_extractor.h"
#include "fuzz_check.h"

namespace {

namespace fs = std::filesystem;
using churn::fuzz::Check;

// The fuzzer's scratch folder, removed when libFuzzer exits (exit() runs static destructors).
struct ScratchBase {
  fs::path dir;
  ~ScratchBase() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
};

const fs::path& Base() {
  static const ScratchBase base = [] {
    fs::path dir = fs::temp_directory_path() / ("churn_zip_fuzz_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "dest");
    return ScratchBase{dir};
  }();
  return base.dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path& base = Base();
  const fs::path dest = base / "dest";
  fs::remove_all(dest);
  fs::create_directories(dest);

  churn::data_sets::ZipLimits limits;
  limits.max_entries = 32;
  limits.max_inflated_bytes = 1 << 20;
  limits.max_depth = 4;
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto extracted = churn::data_sets::ExtractZipBytes(bytes, dest.string(), limits);

  // Only the destination exists in the base folder, and it holds no folders.
  for (const fs::directory_entry& entry : fs::directory_iterator(base)) {
    Check(entry.path() == dest, "nothing written beside the destination");
  }
  std::set<std::string> on_disk;
  for (const fs::directory_entry& entry : fs::directory_iterator(dest)) {
    Check(entry.is_regular_file() && !entry.is_symlink(), "only plain files written");
    on_disk.insert(entry.path().filename().string());
  }
  if (!extracted.ok()) return 0;

  std::set<std::string> returned;
  int64_t total = 0;
  for (const churn::data_sets::ExtractedFile& file : *extracted) {
    Check(churn::auth::SafeUploadFileName(file.name) == file.name, "a safe file name");
    Check(absl::EndsWithIgnoreCase(file.name, ".csv"), "only tables");
    Check(returned.insert(file.name).second, "no name twice");
    Check(static_cast<int64_t>(fs::file_size(dest / file.name)) == file.bytes, "sizes as written");
    total += file.bytes;
  }
  Check(returned == on_disk, "every file written is returned");
  Check(total <= limits.max_inflated_bytes, "within the inflated limit");
  return 0;
}
