#pragma once
// SHA-256 as 64 lower-case hex digits: of one byte string, or of bytes given in
// pieces (files streamed in blocks, so memory stays constant however large they
// are).

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace churn::digest {

std::string Sha256Hex(std::string_view bytes);

class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream &) = delete;
  Sha256Stream &operator=(const Sha256Stream &) = delete;

  void Update(std::string_view bytes);
  // The digest of everything given so far; InternalError when OpenSSL could not
  // compute it. Only once: a second call is FailedPrecondition.
  absl::StatusOr<std::string> FinishHex();

 private:
  EVP_MD_CTX *context_;
  bool started_;  // false when OpenSSL could not set up SHA-256
  bool finished_ = false;
};

}  // namespace churn::digest
