#pragma once
// A streaming RFC 4180 CSV reader.
//
// Handles quoted fields (commas, doubled quotes and newlines inside quotes), LF and CRLF
// record ends, a leading UTF-8 BOM, NUL bytes (stripped wherever they occur) and blank
// values. Input is read in fixed-size chunks, so memory does not grow with the file.
// Errors name the source, the 1-based line and the 1-based character column.

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace churn::csv {

// Where a field starts in the source text (1-based).
struct Position {
  int64_t line = 0;
  int64_t column = 0;
};

class Reader {
 public:
  // Opens a file for streaming; errors if it cannot be opened.
  static absl::StatusOr<std::unique_ptr<Reader>> OpenFile(const std::string& path);
  // Reads bytes [begin, end) of a file: one part of a file that several threads read at once.
  // `begin` must be where a record starts (a part ends where it stops); `first_line` is the
  // line number of `begin` in the whole file, so positions in errors stay those of the file.
  // No byte order mark is looked for (one can only open the file).
  static absl::StatusOr<std::unique_ptr<Reader>> OpenFileRange(const std::string& path,
                                                               int64_t begin, int64_t end,
                                                               int64_t first_line);
  // Reads from in-memory text; `source_name` is what error messages call it.
  static std::unique_ptr<Reader> FromString(std::string text, std::string source_name);
  // Reads from any stream (not owned; must outlive the reader).
  static std::unique_ptr<Reader> FromStream(std::istream* in, std::string source_name);

  virtual ~Reader() = default;

  // Advances to the next record. Returns true when a record was read, false at the end of
  // input, or an InvalidArgument error (e.g. an unterminated quote) naming line and column.
  // Lines that are completely empty are skipped. The views returned by fields() stay valid
  // until the next call to Next().
  virtual absl::StatusOr<bool> Next() = 0;

  virtual const std::vector<std::string_view>& fields() const = 0;
  // Start position of field `index` of the current record.
  virtual Position field_position(size_t index) const = 0;
  // Line on which the current record starts.
  virtual int64_t record_line() const = 0;
  // The line on which the next record starts (after the last record: one past its last line).
  virtual int64_t next_line() const = 0;
  // Bytes consumed from the source so far (for throughput figures).
  virtual int64_t bytes_read() const = 0;
  virtual const std::string& source_name() const = 0;
};

// Formats "<source>:<line>:<column>: <message>" as an InvalidArgument status.
absl::Status ErrorAt(std::string_view source_name, Position position, std::string_view message);

}  // namespace churn::csv
