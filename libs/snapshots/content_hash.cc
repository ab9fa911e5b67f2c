#include "snapshots/content_hash.h"

#include <array>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "dataset/table_schema.h"
#include "digest/sha256.h"

namespace churn::snapshots {

absl::StatusOr<std::string> HashFile(const std::string& path) {
  digest::Sha256Stream hash;
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the file"));
  std::array<char, 1 << 16> buffer;
  while (in) {
    in.read(buffer.data(), buffer.size());
    const std::streamsize got = in.gcount();
    if (got <= 0) break;
    hash.Update(std::string_view(buffer.data(), static_cast<size_t>(got)));
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read error"));
  return hash.FinishHex();
}

std::string CombineTableHashes(const std::array<std::string, 5>& table_hashes,
                               std::optional<dataset::Day> as_of) {
  std::string text = absl::StrCat("as_of=", as_of ? dataset::FormatDate(*as_of) : "", "\n");
  for (dataset::Table table : dataset::kAllTables) {
    absl::StrAppend(&text, std::string(dataset::SchemaOf(table).name), "=",
                    table_hashes[static_cast<int>(table)], "\n");
  }
  return digest::Sha256Hex(text);
}

absl::StatusOr<std::string> HashDataFiles(const dataset::DataFiles& files,
                                          std::optional<dataset::Day> as_of) {
  std::array<std::string, 5> table_hashes;
  for (dataset::Table table : dataset::kAllTables) {
    absl::StatusOr<std::string> hash = HashFile(files.of(table));
    if (!hash.ok()) return hash.status();
    table_hashes[static_cast<int>(table)] = *std::move(hash);
  }
  return CombineTableHashes(table_hashes, as_of);
}

}  // namespace churn::snapshots
