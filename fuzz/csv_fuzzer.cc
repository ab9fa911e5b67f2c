// Fuzzes the CSV reader: whatever the bytes, reading must not crash, and the in-memory
// reader must agree with the stream reader (default and tiny chunk sizes) on every field,
// record line and field position, and on the final error.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "csv/reader.h"
#include "csv/reader_testing.h"

namespace {

struct Transcript {
  std::vector<std::vector<std::string>> records;
  std::vector<std::vector<churn::csv::Position>> positions;
  std::vector<int64_t> lines;
  std::string error;  // empty when the input was read to its end
  int64_t bytes_read = 0;
};

void Require(bool condition) {
  if (!condition) std::abort();
}

Transcript ReadAll(churn::csv::Reader& reader, size_t input_size) {
  Transcript transcript;
  int64_t previous_line = 0;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next();
    if (!more.ok()) {
      transcript.error = more.status().ToString();
      Require(more.status().code() != absl::StatusCode::kOk);
      break;
    }
    if (!*more) break;
    const std::vector<std::string_view>& fields = reader.fields();
    Require(!fields.empty());
    Require(reader.record_line() > previous_line);
    previous_line = reader.record_line();
    transcript.lines.push_back(reader.record_line());
    std::vector<std::string>& record = transcript.records.emplace_back();
    std::vector<churn::csv::Position>& positions = transcript.positions.emplace_back();
    for (size_t i = 0; i < fields.size(); ++i) {
      // NULs are stripped wherever they occur.
      Require(fields[i].find('\0') == std::string_view::npos);
      record.emplace_back(fields[i]);
      const churn::csv::Position position = reader.field_position(i);
      Require(position.line >= reader.record_line() && position.column >= 1);
      positions.push_back(position);
    }
    Require(reader.bytes_read() <= static_cast<int64_t>(input_size));
  }
  transcript.bytes_read = reader.bytes_read();
  return transcript;
}

void RequireSame(const Transcript& a, const Transcript& b) {
  Require(a.records == b.records);
  Require(a.lines == b.lines);
  Require(a.error == b.error);
  Require(a.positions.size() == b.positions.size());
  for (size_t r = 0; r < a.positions.size(); ++r) {
    Require(a.positions[r].size() == b.positions[r].size());
    for (size_t f = 0; f < a.positions[r].size(); ++f) {
      Require(a.positions[r][f].line == b.positions[r][f].line);
      Require(a.positions[r][f].column == b.positions[r][f].column);
    }
  }
  if (a.error.empty()) Require(a.bytes_read == b.bytes_read);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);

  std::unique_ptr<churn::csv::Reader> from_string = churn::csv::Reader::FromString(input, "fuzz");
  const Transcript expected = ReadAll(*from_string, size);
  if (expected.error.empty()) Require(expected.bytes_read == static_cast<int64_t>(size));

  std::istringstream stream(input);
  std::unique_ptr<churn::csv::Reader> from_stream = churn::csv::Reader::FromStream(&stream, "fuzz");
  RequireSame(expected, ReadAll(*from_stream, size));

  // Small chunks put record and field boundaries at every possible offset.
  const size_t chunk_bytes = size == 0 ? 1 : 1 + data[0] % 7;
  std::istringstream chunked_stream(input);
  std::unique_ptr<churn::csv::Reader> chunked =
      churn::csv::testing_internal::FromStreamWithChunkBytes(&chunked_stream, "fuzz", chunk_bytes);
  RequireSame(expected, ReadAll(*chunked, size));
  return 0;
}
