#include "common/secret_files.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/absl_compat.h"

namespace churn::service {

absl::StatusOr<std::string> ReadSecretFile(std::string_view key, const std::string& path,
                                           bool trim) {
  if (path.empty()) return std::string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(ToAbsl(key), ": cannot read '", path, "'"));
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string content = text.str();
  if (trim) content = std::string(absl::StripAsciiWhitespace(content));
  if (content.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(ToAbsl(key), ": '", path, "' is empty"));
  }
  return content;
}

}  // namespace churn::service
