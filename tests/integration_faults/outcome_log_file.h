#pragma once
// Reads the gateway's outcome log straight from its SQLite file, as an operator would: how many
// rows each note has, and whether SQLite finds the file sound.

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace churn::testing {

// note -> number of rows carrying it. Opens the file read-only.
absl::StatusOr<std::map<std::string, int>> RowsByNote(const std::string& db_path);
// The answer of PRAGMA integrity_check ("ok" for a sound file).
absl::StatusOr<std::string> IntegrityCheck(const std::string& db_path);

}  // namespace churn::testing
