#include "common/public_error.h"

#include <atomic>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/logging.h"

namespace churn::service {
namespace {

bool StartsPath(const std::string& text, size_t i) {
  if (text[i] != '/') return false;
  if (i == 0) return true;
  const char before = text[i - 1];
  return before == ' ' || before == '\'' || before == '"' || before == '(' || before == '=' ||
         before == '\t' || before == '\n';
}

bool InPath(char c) {
  return c != ' ' && c != '\'' && c != '"' && c != ')' && c != ':' && c != ',' && c != '\n' &&
         c != '\t';
}

// Drops every absolute path's folders, keeping its last component.
std::string WithoutFolders(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (!StartsPath(text, i)) {
      out.push_back(text[i++]);
      continue;
    }
    size_t end = i;
    while (end < text.size() && InPath(text[end])) ++end;
    const std::string path = text.substr(i, end - i);
    const size_t last_slash = path.find_last_of('/');
    std::string leaf = path.substr(last_slash + 1);
    out += leaf.empty() ? std::string("(folder)") : leaf;
    i = end;
  }
  return out;
}

std::string NewReference() {
  static const int64_t start = std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
  static std::atomic<uint64_t> next{1};
  return absl::StrFormat("%x-%d", start, next.fetch_add(1));
}

}  // namespace

std::string PublicErrorMessage(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDataLoss: {
      const std::string reference = NewReference();
      LogError("internal_error", {{"reference", reference},
                                  {"code", absl::StatusCodeToString(status.code())},
                                  {"error", std::string(status.message())}});
      return absl::StrCat("internal error; the service log has the detail under reference ",
                          reference);
    }
    default:
      return WithoutFolders(std::string(status.message()));
  }
}

}  // namespace churn::service
