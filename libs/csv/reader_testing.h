#pragma once
// Test-only hooks for the CSV reader: small chunk sizes make every chunk-boundary case
// reachable with short inputs (unit tests and the fuzzer use them). Not for production code.

#include <cstddef>
#include <istream>
#include <memory>
#include <string>

#include "csv/reader.h"

namespace churn::csv::testing_internal {

// Like Reader::FromStream, but refills `chunk_bytes` at a time instead of the default 1 MiB.
// `chunk_bytes` of 0 is treated as 1.
std::unique_ptr<Reader> FromStreamWithChunkBytes(std::istream* in, std::string source_name,
                                                 size_t chunk_bytes);

}  // namespace churn::csv::testing_internal
