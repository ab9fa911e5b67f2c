#include "auth/upload_file_name.h"

#include "absl/strings/ascii.h"

namespace churn::auth {

std::string SafeUploadFileName(std::string_view name) {
  const size_t slash = name.rfind('/');
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  if (name.find_first_not_of('.') == std::string_view::npos) return "upload.csv";  // ".", ".."
  std::string safe;
  for (char c : name) {
    if (safe.size() >= kMaxUploadFileNameBytes) break;
    if (c == '.') {
      if (safe.empty()) {
        safe += '_';
      } else if (safe.back() != '.') {
        safe += '.';
      }
      continue;
    }
    safe += absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  }
  if (safe.empty()) safe = "upload.csv";
  return safe;
}

}  // namespace churn::auth
