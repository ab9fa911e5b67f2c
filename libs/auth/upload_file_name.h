#pragma once
// The name an uploaded file is stored under, from whatever name the client sent.

#include <cstddef>
#include <string>
#include <string_view>

namespace churn::auth {

inline constexpr size_t kMaxUploadFileNameBytes = 100;

// The last path part of `name`, with anything but ASCII letters, digits, '.', '-' and '_'
// replaced by '_', runs of dots made one dot, a leading dot made '_' (no hidden files, nothing
// that reads as "..") and capped; "upload.csv" when nothing is left. So the result is one plain
// file name: no '/', no "..", never "." or empty.
std::string SafeUploadFileName(std::string_view name);

}  // namespace churn::auth
