#pragma once
// Secure by default: a service without a tokens file serves only its own machine. Binding any
// other address without authentication takes an explicit allow_unauthenticated.

#include <string_view>

#include "absl/status/status.h"

namespace churn::auth {

// "127.0.0.1:50051", "localhost:8080", "[::1]:0", "unix:/path" are loopback; "0.0.0.0:8080",
// ":8080", "10.1.2.3:50051" and host names are not.
bool IsLoopbackAddress(std::string_view address);

// OK when the address is loopback, when callers must authenticate, or when the operator allowed
// unauthenticated access; otherwise FAILED_PRECONDITION naming `key` and what to do.
absl::Status CheckListenAddress(std::string_view key, std::string_view address, bool authenticated,
                                bool allow_unauthenticated);

}  // namespace churn::auth
