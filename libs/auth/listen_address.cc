#include "auth/listen_address.h"

#include "absl/strings/str_cat.h"

namespace churn::auth {

bool IsLoopbackAddress(std::string_view address) {
  if (address.starts_with("unix:") || address.starts_with("unix-abstract:")) return true;
  const size_t colon = address.rfind(':');
  std::string_view host = colon == std::string_view::npos ? address : address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8, written as a dotted quad.
  if (!host.starts_with("127.")) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

absl::Status CheckListenAddress(std::string_view key, std::string_view address, bool authenticated,
                                bool allow_unauthenticated) {
  if (authenticated || allow_unauthenticated || IsLoopbackAddress(address)) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      std::string(key), ": '", std::string(address),
      "' is reachable from other machines but no auth_tokens_file is set; give one, listen on "
      "127.0.0.1, or set allow_unauthenticated=true to serve without authentication"));
}

}  // namespace churn::auth
