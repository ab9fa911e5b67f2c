#pragma once
// The content hash of a snapshot's inputs: SHA-256 over every table's bytes, streamed (memory
// stays constant however large the files), plus the as-of date, since it changes the signals.
// A hash rather than sizes and mtimes, so a file rewritten with identical bytes publishes nothing.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "dataset/loader.h"
#include "dataset/value_parsers.h"

namespace churn::snapshots {

// Lower-case hex. A file that cannot be read is an error naming it.
absl::StatusOr<std::string> HashDataFiles(const dataset::DataFiles& files,
                                          std::optional<dataset::Day> as_of);

}  // namespace churn::snapshots
