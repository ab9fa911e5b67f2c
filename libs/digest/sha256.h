#pragma once
// SHA-256 of a byte string, as 64 lower-case hex digits.

#include <string>
#include <string_view>

namespace churn::digest {

std::string Sha256Hex(std::string_view bytes);

}  // namespace churn::digest
