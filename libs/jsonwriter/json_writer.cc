#include "jsonwriter/json_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace churn::jsonwriter {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// The most one input byte becomes ("\u001f"), and the most a number takes.
constexpr size_t kMaxEscapedBytes = 6;
constexpr size_t kMaxNumberBytes = 40;

// Bytes copied as they are inside a string literal: printable ASCII but '"' and '\\'.
constexpr bool PlainAsciiByte(unsigned char c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}
// The same as a table: one load a byte in the loop over a string's last few bytes.
struct PlainTable {
  bool plain[256];
  constexpr PlainTable() : plain() {
    for (int c = 0; c < 256; ++c) plain[c] = PlainAsciiByte(static_cast<unsigned char>(c));
  }
};
constexpr PlainTable kPlain;
bool PlainAscii(unsigned char c) { return kPlain.plain[c]; }

// Whether any of 8 bytes needs attention (below 0x20, '"', '\\' or 0x80 and up), exactly: the
// "has less than" and "has zero byte" bit tricks borrow only from a byte that matches.
bool AnySpecial(const char* p) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  const uint64_t below_space = (v - kOnes * 0x20) & ~v;
  const uint64_t quote = v ^ (kOnes * '"');
  const uint64_t backslash = v ^ (kOnes * '\\');
  const uint64_t matches =
      below_space | ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash);
  return ((matches | v) & kHigh) != 0;
}

#if defined(__SSE2__)
// The bytes of 16 that need attention, a bit each: as a signed byte, one below 0x20 is either a
// control character or 0x80 and up; then '"' and '\\'.
unsigned SpecialMask16(const char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i special = _mm_or_si128(
      _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
  return static_cast<unsigned>(_mm_movemask_epi8(special));
}
#endif

// The end of the run of plain bytes from `run` on, 16 bytes at a time where SSE2 is there (every
// x86-64), then 8, then one by one.
size_t PlainRunEnd(std::string_view text, size_t run) {
#if defined(__SSE2__)
  while (run + 16 <= text.size()) {
    const unsigned mask = SpecialMask16(text.data() + run);
    if (mask != 0) return run + static_cast<size_t>(__builtin_ctz(mask));
    run += 16;
  }
#endif
  while (run + 8 <= text.size() && !AnySpecial(text.data() + run)) run += 8;
  while (run < text.size() && PlainAscii(static_cast<unsigned char>(text[run]))) ++run;
  return run;
}

bool Continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// The length of the valid UTF-8 sequence starting at text[i] (lead byte >= 0x80), or 0 when it is
// not one (Unicode table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF).
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto at = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const size_t left = text.size() - i;
  const unsigned char lead = at(0);
  if (lead >= 0xC2 && lead <= 0xDF) return left >= 2 && Continuation(at(1)) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (left < 3 || !Continuation(at(1)) || !Continuation(at(2))) return 0;
    if (lead == 0xE0 && at(1) < 0xA0) return 0;  // overlong
    if (lead == 0xED && at(1) > 0x9F) return 0;  // surrogates
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (left < 4 || !Continuation(at(1)) || !Continuation(at(2)) || !Continuation(at(3))) return 0;
    if (lead == 0xF0 && at(1) < 0x90) return 0;  // overlong
    if (lead == 0xF4 && at(1) > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

char* Copy(char* at, const char* from, size_t size) {
  std::memcpy(at, from, size);
  return at + size;
}

// Writes the literal at `at`, which has room for 2 + kMaxEscapedBytes * text.size() bytes.
char* WriteString(std::string_view text, char* at) {
  *at++ = '"';
  size_t i = 0;
  while (i < text.size()) {
    // The common case first: a run of bytes that need nothing.
    const size_t run = PlainRunEnd(text, i);
    at = Copy(at, text.data() + i, run - i);
    i = run;
    if (i == text.size()) break;
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t length = Utf8SequenceLength(text, i);
      if (length == 0) {
        at = Copy(at, kReplacement, 3);
        ++i;
      } else {
        at = Copy(at, text.data() + i, length);
        i += length;
      }
      continue;
    }
    *at++ = '\\';
    switch (c) {
      case '"': *at++ = '"'; break;
      case '\\': *at++ = '\\'; break;
      case '\b': *at++ = 'b'; break;
      case '\f': *at++ = 'f'; break;
      case '\n': *at++ = 'n'; break;
      case '\r': *at++ = 'r'; break;
      case '\t': *at++ = 't'; break;
      default: {
        const char code[] = {'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        at = Copy(at, code, sizeof(code));
      }
    }
    ++i;
  }
  *at++ = '"';
  return at;
}

size_t StringRoom(std::string_view text) { return 2 + kMaxEscapedBytes * text.size(); }

// Writes `count` digits with the decimal exponent `exponent` (the value d.ddd x 10^exponent) in
// fixed notation, as printf's %g does inside its fixed range: no trailing zeros after the point.
char* WriteFixed(const char* digits, int count, int exponent, char* at) {
  if (exponent < 0) {
    *at++ = '0';
    *at++ = '.';
    for (int k = -1; k > exponent; --k) *at++ = '0';
    return Copy(at, digits, static_cast<size_t>(count));
  }
  const int whole = exponent + 1;
  if (count <= whole) {
    at = Copy(at, digits, static_cast<size_t>(count));
    for (int k = count; k < whole; ++k) *at++ = '0';
    return at;
  }
  at = Copy(at, digits, static_cast<size_t>(whole));
  *at++ = '.';
  return Copy(at, digits + whole, static_cast<size_t>(count - whole));
}

// Writes the double at `at`, which has room for kMaxNumberBytes.
char* WriteDouble(double value, char* at) {
  if (std::isnan(value)) return Copy(at, "\"NaN\"", 5);
  if (std::isinf(value)) {
    return value > 0 ? Copy(at, "\"Infinity\"", 10) : Copy(at, "\"-Infinity\"", 11);
  }
  // protobuf's SimpleDtoa: %.15g, or %.17g when that does not read back as the same double.
  char* const end = at + kMaxNumberBytes;
  // Whole numbers below 1e15: %.15g writes their digits, nothing else ("-0" for minus zero).
  if (std::fabs(value) < 1e15 && value == std::trunc(value)) {
    if (value == 0) return std::signbit(value) ? Copy(at, "-0", 2) : Copy(at, "0", 1);
    return std::to_chars(at, end, static_cast<int64_t>(value)).ptr;
  }
  // The shortest digits that read back, in scientific notation ("-d.ddde-05"), written once and
  // respelled from its digits. With at most 15 of them, %.15g (the value rounded to 15 digits)
  // has the very same digits, since a double's half ULP is under half a unit of the 15th digit;
  // with 17, no 16 digits read back, so the value rounded to 17 digits (%.17g) reads back and is
  // the nearest 17-digit text: the shortest digits again. %g writes them fixed for exponents
  // -4..precision-1 and in scientific notation (printf's, as std::to_chars writes it) otherwise.
  // With 16, %.17g's digits are not the shortest ones: std::to_chars with a precision is
  // specified as printf's %.*g.
  char scientific[kMaxNumberBytes];
  const char* const written =
      std::to_chars(scientific, scientific + kMaxNumberBytes, value, std::chars_format::scientific)
          .ptr;
  const size_t sign = scientific[0] == '-' ? 1 : 0;
  const char* const e = std::find(static_cast<const char*>(scientific), written, 'e');
  char digits[kMaxNumberBytes];
  int count = 0;
  for (const char* p = scientific + sign; p < e; ++p) {
    if (*p != '.') digits[count++] = *p;
  }
  int exponent = 0;
  std::from_chars(e + (e[1] == '+' ? 2 : 1), written, exponent);
  if (count == 16) return std::to_chars(at, end, value, std::chars_format::general, 17).ptr;
  const int precision = count <= 15 ? 15 : 17;
  if (exponent < -4 || exponent >= precision) {
    return Copy(at, scientific, static_cast<size_t>(written - scientific));
  }
  if (sign) *at++ = '-';
  return WriteFixed(digits, count, exponent, at);
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  const size_t used = out->size();
  out->resize(used + StringRoom(text));
  out->resize(static_cast<size_t>(WriteString(text, out->data() + used) - out->data()));
}

void AppendJsonDouble(double value, std::string* out) {
  const size_t used = out->size();
  out->resize(used + kMaxNumberBytes);
  out->resize(static_cast<size_t>(WriteDouble(value, out->data() + used) - out->data()));
}

JsonWriter::JsonWriter(std::string* out) : out_(out), used_(out->size()) {
  // Work in the room already reserved (resizing within the capacity does not allocate).
  out_->resize(std::max(out_->capacity(), used_ + 256));
  capacity_ = out_->size();
}

void JsonWriter::Finish() {
  out_->resize(used_);
  capacity_ = used_;
}

void JsonWriter::Grow(size_t bytes) {
  out_->resize(std::max(2 * capacity_, used_ + bytes + 256));
  capacity_ = out_->size();
}

void JsonWriter::Open(char bracket) {
  char* at = Separate(Room(1));
  *at++ = bracket;
  used_ = static_cast<size_t>(at - out_->data());
  need_comma_ = false;
}

void JsonWriter::Close(char bracket) {
  *Room(1) = bracket;
  ++used_;
  need_comma_ = true;
}

void JsonWriter::KeyText(std::string_view name) {
  char* at = Separate(Room(StringRoom(name) + 1));
  at = WriteString(name, at);
  *at++ = ':';
  used_ = static_cast<size_t>(at - out_->data());
  after_key_ = true;
}

void JsonWriter::String(std::string_view text) {
  char* at = Separate(Room(StringRoom(text)));
  used_ = static_cast<size_t>(WriteString(text, at) - out_->data());
  need_comma_ = true;
}

void JsonWriter::Int(int64_t value) {
  char* at = Separate(Room(kMaxNumberBytes));
  used_ = static_cast<size_t>(std::to_chars(at, at + kMaxNumberBytes, value).ptr - out_->data());
  need_comma_ = true;
}

void JsonWriter::Int64String(int64_t value) {
  char* at = Separate(Room(kMaxNumberBytes + 2));
  *at++ = '"';
  at = std::to_chars(at, at + kMaxNumberBytes, value).ptr;
  *at++ = '"';
  used_ = static_cast<size_t>(at - out_->data());
  need_comma_ = true;
}

void JsonWriter::Double(double value) {
  char* at = Separate(Room(kMaxNumberBytes));
  used_ = static_cast<size_t>(WriteDouble(value, at) - out_->data());
  need_comma_ = true;
}

void JsonWriter::Bool(bool value) {
  char* at = Separate(Room(5));
  at = value ? Copy(at, "true", 4) : Copy(at, "false", 5);
  used_ = static_cast<size_t>(at - out_->data());
  need_comma_ = true;
}

void JsonWriter::Null() {
  char* at = Separate(Room(4));
  used_ = static_cast<size_t>(Copy(at, "null", 4) - out_->data());
  need_comma_ = true;
}

}  // namespace churn::jsonwriter
