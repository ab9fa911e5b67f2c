#include "snapshots/content_hash.h"

#include <array>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "dataset/table_schema.h"
#include "digest/sha256.h"

namespace churn::snapshots {

absl::StatusOr<std::string> HashDataFiles(const dataset::DataFiles &files,
                                          std::optional<dataset::Day> as_of) {
  digest::Sha256Stream hash;
  hash.Update(absl::StrCat("as_of=", as_of ? dataset::FormatDate(*as_of) : "", "\n"));
  std::array<char, 1 << 16> buffer;
  for (dataset::Table table : dataset::kAllTables) {
    const std::string &path = files.of(table);
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the file"));
    int64_t size = 0;
    while (in) {
      in.read(buffer.data(), buffer.size());
      const std::streamsize got = in.gcount();
      if (got <= 0) break;
      hash.Update(std::string_view(buffer.data(), static_cast<size_t>(got)));
      size += got;
    }
    if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read error"));
    // The table name and length end each file's bytes, so moving bytes between
    // files changes it.
    hash.Update(absl::StrCat("\n", std::string(dataset::SchemaOf(table).name), "=", size, "\n"));
  }
  return hash.FinishHex();
}

}  // namespace churn::snapshots
