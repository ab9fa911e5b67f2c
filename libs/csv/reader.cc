#include "csv/reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "absl/strings/str_cat.h"
#include "csv/reader_testing.h"
#include "status/status_macros.h"

namespace churn::csv {
namespace {

constexpr size_t kDefaultChunkBytes = size_t{1} << 20;
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// 256-entry tables marking the bytes that end a run of ordinary field content. The buffer
// always holds a '\0' just past its valid bytes, so the scans need no bounds check: they
// stop at the sentinel and the caller tells it apart from a real NUL by its address.
// (Readable bytes end at the sentinel: a std::string's terminator for string input.)
using StopTable = std::array<bool, 256>;

constexpr StopTable MakeStopTable(std::initializer_list<char> stops) {
  StopTable table{};
  for (char stop : stops) table[static_cast<unsigned char>(stop)] = true;
  return table;
}

constexpr StopTable kUnquotedStops = MakeStopTable({',', '\n', '\r', '"', '\0'});
constexpr StopTable kQuotedStops = MakeStopTable({'"', '\n', '\0'});

inline const char* SkipToStopByTable(const char* p, const StopTable& stops) {
  // Unrolled because typical fields are a handful of bytes and this loop is the hot path.
  for (;;) {
    if (stops[static_cast<unsigned char>(p[0])]) return p;
    if (stops[static_cast<unsigned char>(p[1])]) return p + 1;
    if (stops[static_cast<unsigned char>(p[2])]) return p + 2;
    if (stops[static_cast<unsigned char>(p[3])]) return p + 3;
    p += 4;
  }
}

#if defined(__SSE2__)
// Compares 16 bytes at a time while a whole block (ending at or before the sentinel at
// `end`) can be loaded; the table finishes the last few bytes.
inline const char* SkipToUnquotedStop(const char* p, const char* end) {
  const __m128i comma = _mm_set1_epi8(',');
  const __m128i line_feed = _mm_set1_epi8('\n');
  const __m128i carriage_return = _mm_set1_epi8('\r');
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i nul = _mm_setzero_si128();
  while (end - p >= 15) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hits = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(block, comma), _mm_cmpeq_epi8(block, line_feed)),
        _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(block, carriage_return), _mm_cmpeq_epi8(block, quote)),
            _mm_cmpeq_epi8(block, nul)));
    const int mask = _mm_movemask_epi8(hits);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
  return SkipToStopByTable(p, kUnquotedStops);
}

inline const char* SkipToQuotedStop(const char* p, const char* end) {
  const __m128i line_feed = _mm_set1_epi8('\n');
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i nul = _mm_setzero_si128();
  while (end - p >= 15) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hits =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(block, line_feed), _mm_cmpeq_epi8(block, quote)),
                     _mm_cmpeq_epi8(block, nul));
    const int mask = _mm_movemask_epi8(hits);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
  return SkipToStopByTable(p, kQuotedStops);
}

constexpr bool kHasStopMask = true;

// One bit per byte of p[0..63] that is ',', '\n', '\r', '"' or '\0'.
inline uint64_t UnquotedStopMask64(const char* p) {
  const __m128i comma = _mm_set1_epi8(',');
  const __m128i line_feed = _mm_set1_epi8('\n');
  const __m128i carriage_return = _mm_set1_epi8('\r');
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i nul = _mm_setzero_si128();
  uint64_t mask = 0;
  for (int offset = 0; offset < 64; offset += 16) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + offset));
    const __m128i hits = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(block, comma), _mm_cmpeq_epi8(block, line_feed)),
        _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(block, carriage_return), _mm_cmpeq_epi8(block, quote)),
            _mm_cmpeq_epi8(block, nul)));
    mask |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(hits))) << offset;
  }
  return mask;
}
#else
constexpr bool kHasStopMask = false;

inline uint64_t UnquotedStopMask64(const char*) { return 0; }

inline const char* SkipToUnquotedStop(const char* p, const char*) {
  return SkipToStopByTable(p, kUnquotedStops);
}
inline const char* SkipToQuotedStop(const char* p, const char*) {
  return SkipToStopByTable(p, kQuotedStops);
}
#endif

// Where the reader's bytes come from when they are not all in memory up front.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `capacity` bytes; 0 means end of input.
  virtual absl::StatusOr<size_t> Read(char* destination, size_t capacity) = 0;
};

class FileSource final : public ByteSource {
 public:
  FileSource(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FileSource() override { ::close(fd_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  absl::StatusOr<size_t> Read(char* destination, size_t capacity) override {
    for (;;) {
      const ssize_t count = ::read(fd_, destination, capacity);
      if (count >= 0) return static_cast<size_t>(count);
      if (errno != EINTR) return absl::ErrnoToStatus(errno, absl::StrCat("reading ", path_));
    }
  }

 private:
  int fd_;
  std::string path_;
};

// Bytes [begin, end) of a file, read with pread so several readers can share the file.
class FileRangeSource final : public ByteSource {
 public:
  FileRangeSource(int fd, std::string path, int64_t begin, int64_t end)
      : fd_(fd), path_(std::move(path)), offset_(begin), end_(end) {}
  ~FileRangeSource() override { ::close(fd_); }
  FileRangeSource(const FileRangeSource&) = delete;
  FileRangeSource& operator=(const FileRangeSource&) = delete;

  absl::StatusOr<size_t> Read(char* destination, size_t capacity) override {
    const size_t wanted = static_cast<size_t>(
        std::min<int64_t>(static_cast<int64_t>(capacity), std::max<int64_t>(end_ - offset_, 0)));
    if (wanted == 0) return 0;
    for (;;) {
      const ssize_t count = ::pread(fd_, destination, wanted, offset_);
      if (count >= 0) {
        offset_ += count;
        return static_cast<size_t>(count);
      }
      if (errno != EINTR) return absl::ErrnoToStatus(errno, absl::StrCat("reading ", path_));
    }
  }

 private:
  int fd_;
  std::string path_;
  int64_t offset_;
  int64_t end_;
};

class StreamSource final : public ByteSource {
 public:
  explicit StreamSource(std::istream* in) : in_(in) {}

  absl::StatusOr<size_t> Read(char* destination, size_t capacity) override {
    in_->read(destination, static_cast<std::streamsize>(capacity));
    const auto count = static_cast<size_t>(in_->gcount());
    if (count == 0 && in_->bad()) return absl::DataLossError("reading from stream failed");
    return count;
  }

 private:
  std::istream* in_;
};

class StreamingReader final : public Reader {
 public:
  // Reads everything from `text`, which is already complete in memory.
  StreamingReader(std::string text, std::string source_name)
      : source_name_(std::move(source_name)), text_(std::move(text)) {
    // std::string keeps a '\0' at data()[size()], which serves as the scan sentinel.
    data_ = text_.data();
    size_ = text_.size();
    end_of_input_ = true;
  }

  StreamingReader(std::unique_ptr<ByteSource> source, std::string source_name, size_t chunk_bytes)
      : source_name_(std::move(source_name)),
        source_(std::move(source)),
        capacity_(chunk_bytes == 0 ? 1 : chunk_bytes),
        buffer_(new char[capacity_ + 1]) {
    buffer_[0] = '\0';
    data_ = buffer_.get();
  }

  absl::StatusOr<bool> Next() override;

  const std::vector<std::string_view>& fields() const override { return fields_; }
  Position field_position(size_t index) const override {
    if (index >= fields_.size()) return Position{};
    return PositionOf(FieldStart(index));
  }
  int64_t record_line() const override { return record_line_; }
  int64_t next_line() const override { return next_line_; }
  // A part of a file: no byte order mark, lines counted from `first_line`.
  void StartMidFile(int64_t first_line) {
    byte_order_mark_checked_ = true;
    next_line_ = first_line;
  }
  int64_t bytes_read() const override { return buffer_offset_ + static_cast<int64_t>(pos_); }
  const std::string& source_name() const override { return source_name_; }

 private:
  enum class ParseOutcome { kRecord, kNeedMoreInput, kError };

  // A field whose text had to be rewritten (doubled quotes, NULs); its view is fixed up
  // once the record is complete, because scratch_ may reallocate while the record grows.
  struct ScratchField {
    size_t index;
    size_t offset;
    size_t length;
  };

  absl::Status Refill();
  absl::Status SkipByteOrderMark();
  void ClearRecord();
  bool ParsePlainRecord();
  ParseOutcome ParseRecord();
  void AddField(const char* content_begin, const char* content_end, bool needs_rewrite,
                bool quoted) {
    if (needs_rewrite) {
      AddRewrittenField(content_begin, content_end, quoted);
    } else {
      fields_.emplace_back(content_begin, static_cast<size_t>(content_end - content_begin));
    }
  }
  void AddRewrittenField(const char* content_begin, const char* content_end, bool quoted);
  const char* FieldStart(size_t index) const;
  Position PositionOf(const char* byte) const;
  ParseOutcome Fail(const char* byte, std::string_view message);

  std::string source_name_;
  std::string text_;                    // Whole input, when reading from a string.
  std::unique_ptr<ByteSource> source_;  // Chunked input otherwise.
  size_t capacity_ = 0;
  std::unique_ptr<char[]> buffer_;  // capacity_ bytes plus the sentinel.

  const char* data_ = nullptr;  // Valid bytes are [data_, data_ + size_).
  size_t size_ = 0;
  size_t pos_ = 0;             // Start of the next unread record.
  int64_t buffer_offset_ = 0;  // Source offset of data_[0].
  bool end_of_input_ = false;
  bool byte_order_mark_checked_ = false;
  int64_t next_line_ = 1;  // Line number at pos_.
  absl::Status error_;     // Sticky: once malformed, always malformed.

  // The current record.
  std::vector<std::string_view> fields_;
  const char* record_start_ = nullptr;
  int64_t record_line_ = 0;
  std::string scratch_;
  std::vector<ScratchField> scratch_fields_;
  // Set by ParsePlainRecord or ParseRecord when a record is complete.
  size_t record_end_ = 0;
  int64_t record_newlines_ = 0;
  bool record_has_quoted_field_ = false;
};

absl::Status StreamingReader::Refill() {
  // Keep the unfinished record, moving it to the front so the rest of the buffer is free.
  const size_t kept = size_ - pos_;
  if (pos_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + pos_, kept);
    buffer_offset_ += static_cast<int64_t>(pos_);
    pos_ = 0;
    size_ = kept;
  }
  if (size_ == capacity_) {
    // One record fills the whole buffer: grow geometrically so re-parsing it stays linear.
    const size_t grown_capacity = capacity_ * 2;
    std::unique_ptr<char[]> grown(new char[grown_capacity + 1]);
    std::memcpy(grown.get(), buffer_.get(), size_);
    buffer_ = std::move(grown);
    capacity_ = grown_capacity;
  }
  data_ = buffer_.get();
  // Fill completely, so a record that needs more input is re-parsed only when the buffer
  // was full (and therefore grows); short reads alone would make re-parsing quadratic.
  while (size_ < capacity_ && !end_of_input_) {
    absl::StatusOr<size_t> count = source_->Read(buffer_.get() + size_, capacity_ - size_);
    if (!count.ok()) {
      buffer_[size_] = '\0';
      return count.status();
    }
    if (*count == 0) end_of_input_ = true;
    size_ += *count;
  }
  buffer_[size_] = '\0';
  return absl::OkStatus();
}

absl::Status StreamingReader::SkipByteOrderMark() {
  while (size_ - pos_ < kUtf8Bom.size() && !end_of_input_) {
    CHURN_RETURN_IF_ERROR(Refill());
  }
  if (std::string_view(data_ + pos_, size_ - pos_).starts_with(kUtf8Bom)) pos_ += kUtf8Bom.size();
  byte_order_mark_checked_ = true;
  return absl::OkStatus();
}

void StreamingReader::ClearRecord() {
  fields_.clear();
  scratch_.clear();
  scratch_fields_.clear();
}

absl::StatusOr<bool> StreamingReader::Next() {
  if (!error_.ok()) return error_;
  ClearRecord();
  if (!byte_order_mark_checked_) {
    if (absl::Status status = SkipByteOrderMark(); !status.ok()) {
      error_ = status;
      return error_;
    }
  }
  for (;;) {
    if (pos_ == size_) {
      if (end_of_input_) return false;
      if (absl::Status status = Refill(); !status.ok()) {
        error_ = status;
        return error_;
      }
      continue;
    }
    const ParseOutcome outcome = ParsePlainRecord() ? ParseOutcome::kRecord : ParseRecord();
    switch (outcome) {
      case ParseOutcome::kError:
        ClearRecord();
        return error_;
      case ParseOutcome::kNeedMoreInput:
        // The record is re-parsed from its start once more input is in the buffer.
        ClearRecord();
        if (absl::Status status = Refill(); !status.ok()) {
          error_ = status;
          return error_;
        }
        continue;
      case ParseOutcome::kRecord:
        break;
    }
    pos_ = record_end_;
    next_line_ += record_newlines_;
    for (const ScratchField& field : scratch_fields_) {
      fields_[field.index] = std::string_view(scratch_.data() + field.offset, field.length);
    }
    // A line with nothing on it (after dropping NULs and the CR of CRLF) is not a record.
    const bool blank_line = fields_.size() == 1 && fields_[0].empty() && !record_has_quoted_field_;
    if (!blank_line) return true;
    ClearRecord();
  }
}

void StreamingReader::AddRewrittenField(const char* content_begin, const char* content_end,
                                        bool quoted) {
  const size_t offset = scratch_.size();
  for (const char* p = content_begin; p < content_end; ++p) {
    if (*p == '\0') continue;
    scratch_.push_back(*p);
    // Inside a quoted field every quote before the closing one is half of a "" pair.
    if (quoted && *p == '"') ++p;
  }
  scratch_fields_.push_back(ScratchField{fields_.size(), offset, scratch_.size() - offset});
  fields_.emplace_back();
}

const char* StreamingReader::FieldStart(size_t index) const {
  // Positions are rarely asked for (mostly to report bad values), so rather than storing one
  // per field they are recovered from the record's raw bytes, still in the buffer. The record
  // parsed cleanly, so every quote toggles quoting and commas outside quotes separate fields.
  const char* p = record_start_;
  bool in_quotes = false;
  for (size_t field = 0; field < index; ++p) {
    if (*p == '"') {
      in_quotes = !in_quotes;
    } else if (*p == ',' && !in_quotes) {
      ++field;
    }
  }
  return p;
}

Position StreamingReader::PositionOf(const char* byte) const {
  // Records start at line starts, so counting LFs from the record start is enough.
  Position position{record_line_, 0};
  const char* line_start = record_start_;
  while (const void* newline =
             std::memchr(line_start, '\n', static_cast<size_t>(byte - line_start))) {
    ++position.line;
    line_start = static_cast<const char*>(newline) + 1;
  }
  position.column = (byte - line_start) + 1;
  return position;
}

StreamingReader::ParseOutcome StreamingReader::Fail(const char* byte, std::string_view message) {
  error_ = ErrorAt(source_name_, PositionOf(byte), message);
  return ParseOutcome::kError;
}

bool StreamingReader::ParsePlainRecord() {
  // Fast path for the common record: only unquoted fields, no NULs, ending in LF or CRLF.
  // It finds all separators of a 64-byte block at once and walks the bits, instead of one
  // dependent scan per field. Anything unusual (quotes, NULs, a lone CR, the last bytes of
  // the buffer) returns false, and the general parser handles the record from its start.
  if (!kHasStopMask) return false;
  const char* const end = data_ + size_;
  const char* const record = data_ + pos_;
  const char* field_start = record;
  for (const char* block = record; end - block >= 64; block += 64) {
    for (uint64_t mask = UnquotedStopMask64(block); mask != 0; mask &= mask - 1) {
      const char* const stop = block + __builtin_ctzll(mask);
      if (*stop == ',') {
        fields_.emplace_back(field_start, static_cast<size_t>(stop - field_start));
        field_start = stop + 1;
        continue;
      }
      size_t terminator_bytes = 1;
      if (*stop == '\r' && stop[1] == '\n') {
        terminator_bytes = 2;
      } else if (*stop != '\n') {
        fields_.clear();
        return false;
      }
      fields_.emplace_back(field_start, static_cast<size_t>(stop - field_start));
      record_start_ = record;
      record_line_ = next_line_;
      record_newlines_ = 1;
      record_has_quoted_field_ = false;
      record_end_ = static_cast<size_t>(stop + terminator_bytes - data_);
      return true;
    }
  }
  fields_.clear();
  return false;
}

StreamingReader::ParseOutcome StreamingReader::ParseRecord() {
  const char* const end = data_ + size_;  // *end is the '\0' sentinel.
  record_start_ = data_ + pos_;
  record_line_ = next_line_;
  record_newlines_ = 0;
  record_has_quoted_field_ = false;
  const bool at_end_of_input = end_of_input_;

  const char* field_start = record_start_;
  for (;;) {
    // NULs are dropped everywhere, so they may also precede an opening quote.
    const char* first = field_start;
    while (*first == '\0' && first < end) ++first;
    if (first == end && !at_end_of_input) return ParseOutcome::kNeedMoreInput;

    if (*first != '"') {
      // Unquoted field: scan to the next byte that means something.
      bool has_nul = first != field_start;
      const char* p = first;
      for (;;) {
        p = SkipToUnquotedStop(p, end);
        const char stop = *p;
        if (stop == ',') {
          AddField(field_start, p, has_nul, false);
          field_start = p + 1;
          break;
        }
        if (stop == '\n') {
          AddField(field_start, p, has_nul, false);
          ++record_newlines_;
          record_end_ = static_cast<size_t>(p + 1 - data_);
          return ParseOutcome::kRecord;
        }
        if (stop == '\r') {
          if (p + 1 == end) {
            if (!at_end_of_input) return ParseOutcome::kNeedMoreInput;
            // A CR as the very last byte is taken as a truncated CRLF.
            AddField(field_start, p, has_nul, false);
            record_end_ = static_cast<size_t>(end - data_);
            return ParseOutcome::kRecord;
          }
          if (p[1] == '\n') {
            AddField(field_start, p, has_nul, false);
            ++record_newlines_;
            record_end_ = static_cast<size_t>(p + 2 - data_);
            return ParseOutcome::kRecord;
          }
          ++p;  // A lone CR is ordinary content (lenient).
          continue;
        }
        if (stop == '"') {
          return Fail(p,
                      "unexpected '\"' in unquoted field (expected ',' or end of line; a field "
                      "containing quotes must be quoted, with inner quotes doubled)");
        }
        // stop == '\0': either the sentinel or a NUL to strip.
        if (p == end) {
          if (!at_end_of_input) return ParseOutcome::kNeedMoreInput;
          AddField(field_start, p, has_nul, false);
          record_end_ = static_cast<size_t>(end - data_);
          return ParseOutcome::kRecord;
        }
        has_nul = true;
        ++p;
      }
      continue;
    }

    // Quoted field.
    record_has_quoted_field_ = true;
    const char* const opening_quote = first;
    const char* p = opening_quote + 1;
    bool needs_rewrite = false;
    for (;;) {
      p = SkipToQuotedStop(p, end);
      const char stop = *p;
      if (stop == '\n') {
        ++record_newlines_;
        ++p;
        continue;
      }
      if (stop == '\0') {
        if (p == end) {
          if (!at_end_of_input) return ParseOutcome::kNeedMoreInput;
          return Fail(opening_quote, "unterminated quoted field (expected closing '\"')");
        }
        needs_rewrite = true;
        ++p;
        continue;
      }
      // stop == '"': a doubled quote or the closing one (the next byte decides).
      if (p + 1 == end && !at_end_of_input) return ParseOutcome::kNeedMoreInput;
      if (p[1] == '"') {
        needs_rewrite = true;
        p += 2;
        continue;
      }
      break;
    }
    const char* const closing_quote = p;
    const char* after = closing_quote + 1;
    while (*after == '\0' && after < end) ++after;
    if (after == end) {
      if (!at_end_of_input) return ParseOutcome::kNeedMoreInput;
      AddField(opening_quote + 1, closing_quote, needs_rewrite, true);
      record_end_ = static_cast<size_t>(end - data_);
      return ParseOutcome::kRecord;
    }
    if (*after == ',') {
      AddField(opening_quote + 1, closing_quote, needs_rewrite, true);
      field_start = after + 1;
      continue;
    }
    if (*after == '\n') {
      AddField(opening_quote + 1, closing_quote, needs_rewrite, true);
      ++record_newlines_;
      record_end_ = static_cast<size_t>(after + 1 - data_);
      return ParseOutcome::kRecord;
    }
    if (*after == '\r') {
      if (after + 1 == end && !at_end_of_input) return ParseOutcome::kNeedMoreInput;
      if (after + 1 == end || after[1] == '\n') {
        AddField(opening_quote + 1, closing_quote, needs_rewrite, true);
        const bool has_line_feed = after + 1 < end;
        record_newlines_ += has_line_feed ? 1 : 0;
        record_end_ = static_cast<size_t>(after + (has_line_feed ? 2 : 1) - data_);
        return ParseOutcome::kRecord;
      }
    }
    return Fail(after, "expected ',' or end of line after closing quote");
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Reader>> Reader::OpenFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("cannot open CSV file ", path));
  // Tell the kernel we read front to back, so it reads ahead generously.
  (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<Reader>(std::make_unique<StreamingReader>(
      std::make_unique<FileSource>(fd, path), path, kDefaultChunkBytes));
}

absl::StatusOr<std::unique_ptr<Reader>> Reader::OpenFileRange(const std::string& path,
                                                              int64_t begin, int64_t end,
                                                              int64_t first_line) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("cannot open CSV file ", path));
  (void)::posix_fadvise(fd, begin, end - begin, POSIX_FADV_SEQUENTIAL);
  auto reader = std::make_unique<StreamingReader>(
      std::make_unique<FileRangeSource>(fd, path, begin, end), path, kDefaultChunkBytes);
  reader->StartMidFile(first_line);
  return std::unique_ptr<Reader>(std::move(reader));
}

std::unique_ptr<Reader> Reader::FromString(std::string text, std::string source_name) {
  return std::make_unique<StreamingReader>(std::move(text), std::move(source_name));
}

std::unique_ptr<Reader> Reader::FromStream(std::istream* in, std::string source_name) {
  return testing_internal::FromStreamWithChunkBytes(in, std::move(source_name), kDefaultChunkBytes);
}

absl::Status ErrorAt(std::string_view source_name, Position position, std::string_view message) {
  // This Abseil build has its own string_view type, hence the explicit conversions.
  return absl::InvalidArgumentError(
      absl::StrCat(absl::string_view(source_name.data(), source_name.size()), ":", position.line,
                   ":", position.column, ": ", absl::string_view(message.data(), message.size())));
}

namespace testing_internal {

std::unique_ptr<Reader> FromStreamWithChunkBytes(std::istream* in, std::string source_name,
                                                 size_t chunk_bytes) {
  return std::make_unique<StreamingReader>(std::make_unique<StreamSource>(in),
                                           std::move(source_name), chunk_bytes);
}

}  // namespace testing_internal
}  // namespace churn::csv
