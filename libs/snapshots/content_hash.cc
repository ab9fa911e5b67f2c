#include "snapshots/content_hash.h"

#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "dataset/table_schema.h"

namespace churn::snapshots {
namespace {

struct DigestDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

void Update(EVP_MD_CTX* context, const std::string& text) {
  EVP_DigestUpdate(context, text.data(), text.size());
}

}  // namespace

absl::StatusOr<std::string> HashDataFiles(const dataset::DataFiles& files,
                                          std::optional<dataset::Day> as_of) {
  std::unique_ptr<EVP_MD_CTX, DigestDeleter> context(EVP_MD_CTX_new());
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
    return absl::InternalError("SHA-256 is not available");
  }
  Update(context.get(), absl::StrCat("as_of=", as_of ? dataset::FormatDate(*as_of) : "", "\n"));
  std::array<char, 1 << 16> buffer;
  for (dataset::Table table : dataset::kAllTables) {
    const std::string& path = files.of(table);
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the file"));
    int64_t size = 0;
    while (in) {
      in.read(buffer.data(), buffer.size());
      const std::streamsize got = in.gcount();
      if (got <= 0) break;
      EVP_DigestUpdate(context.get(), buffer.data(), static_cast<size_t>(got));
      size += got;
    }
    if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read error"));
    // The table name and length end each file's bytes, so moving bytes between files changes it.
    Update(context.get(),
           absl::StrCat("\n", std::string(dataset::SchemaOf(table).name), "=", size, "\n"));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context.get(), digest, &length) != 1) {
    return absl::InternalError("SHA-256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xf]);
  }
  return hex;
}

}  // namespace churn::snapshots
