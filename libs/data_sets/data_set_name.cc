#include "data_sets/data_set_name.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace churn::data_sets {

absl::Status CheckDataSetName(absl::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("name: required");
  if (name.size() > kMaxDataSetNameBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("name: at most ", kMaxDataSetNameBytes, " characters, got ", name.size()));
  }
  if (!absl::ascii_isalnum(static_cast<unsigned char>(name.front()))) {
    return absl::InvalidArgumentError("name: must start with a letter or digit");
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return absl::InvalidArgumentError(
          "name: only letters, digits, '-' and '_' (it becomes a folder name)");
    }
  }
  return absl::OkStatus();
}

}  // namespace churn::data_sets
