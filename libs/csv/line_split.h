#pragma once
// Splits a byte range of a CSV file into parts for several threads to parse.
//
// Each part after the first starts just after the first line feed at or after its share of the
// range. That is a guess: right unless the line feed is inside a quoted field. A wrong guess
// cannot go unnoticed: the part before it, read from a real record start, then ends inside a
// quoted field, which csv::Reader reports as an unterminated quote, and the caller reads the
// file on one thread instead (dataset/loader.cc).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace churn::csv {

// Boundaries b[0] = begin < b[1] < ... < b[n] = end of at most `parts` parts (fewer when parts
// would be empty: a range without line feeds is one part). Reads only around the split points.
absl::StatusOr<std::vector<int64_t>> SplitAtLineStarts(const std::string& path, int64_t begin,
                                                       int64_t end, int parts);

}  // namespace churn::csv
