#pragma once
// The content hash of a snapshot's inputs: SHA-256 over each table's own SHA-256 (its bytes,
// streamed, so memory stays constant however large the files) and the as-of date, since it
// changes the signals. Hashes rather than sizes and mtimes, so a file rewritten with identical
// bytes publishes nothing; a table's own hash tells a refresh whether that table changed.

#include <array>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "dataset/loader.h"
#include "dataset/value_parsers.h"

namespace churn::snapshots {

// Lower-case hex SHA-256 of one file's bytes. A file that cannot be read is an error naming it.
absl::StatusOr<std::string> HashFile(const std::string& path);

// The content hash from the tables' own hashes (indexed by Table).
std::string CombineTableHashes(const std::array<std::string, 5>& table_hashes,
                               std::optional<dataset::Day> as_of);

// Every file read and hashed, then combined.
absl::StatusOr<std::string> HashDataFiles(const dataset::DataFiles& files,
                                          std::optional<dataset::Day> as_of);

}  // namespace churn::snapshots
