#include "digest/sha256.h"

#include <openssl/evp.h>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"

namespace churn::digest {
namespace {

std::string Hex(const unsigned char *digest, unsigned int length) {
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char *>(digest), length));
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  return Hex(digest, length);
}

Sha256Stream::Sha256Stream()
    : context_(EVP_MD_CTX_new()),
      started_(context_ != nullptr && EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) == 1) {}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(context_); }

void Sha256Stream::Update(std::string_view bytes) {
  if (started_ && !finished_) EVP_DigestUpdate(context_, bytes.data(), bytes.size());
}

absl::StatusOr<std::string> Sha256Stream::FinishHex() {
  if (finished_) return absl::FailedPreconditionError("SHA-256: the stream is already finished");
  finished_ = true;
  if (!started_) return absl::InternalError("SHA-256 is not available");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context_, digest, &length) != 1) {
    return absl::InternalError("SHA-256 failed");
  }
  return Hex(digest, length);
}

}  // namespace churn::digest
