#pragma once
// What an outside caller may read of an error. Internal failures (INTERNAL, UNKNOWN, DATA_LOSS:
// SQLite messages, I/O errors) become a reference to the log line holding the detail; other
// messages keep their meaning (file, line, column, what was expected) but lose the server's
// folders: "/srv/data/accounts.csv:3:7: ..." reads "accounts.csv:3:7: ...".

#include <string>

#include "absl/status/status.h"

namespace churn::service {

std::string PublicErrorMessage(const absl::Status& status);

}  // namespace churn::service
