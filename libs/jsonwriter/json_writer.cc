#include "jsonwriter/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <system_error>

namespace churn::jsonwriter {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Bytes copied as they are inside a string literal: printable ASCII but '"' and '\\'.
constexpr bool PlainAscii(unsigned char c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
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

template <typename Int>
void AppendInt(Int value, std::string* out) {
  char buffer[24];
  const std::to_chars_result end = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out->append(buffer, end.ptr);
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    // The common case first: a run of bytes that need nothing.
    size_t run = i;
    while (run < text.size() && PlainAscii(static_cast<unsigned char>(text[run]))) ++run;
    out->append(text.data() + i, run - i);
    i = run;
    if (i == text.size()) break;
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t length = Utf8SequenceLength(text, i);
      if (length == 0) {
        out->append(kReplacement);
        ++i;
      } else {
        out->append(text.data() + i, length);
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default: {
        const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out->append(escaped, sizeof(escaped));
      }
    }
    ++i;
  }
  out->push_back('"');
}

void AppendJsonDouble(double value, std::string* out) {
  if (std::isnan(value)) return out->append("\"NaN\""), void();
  if (std::isinf(value)) return out->append(value > 0 ? "\"Infinity\"" : "\"-Infinity\""), void();
  // protobuf's SimpleDtoa: %.15g, or %.17g when that does not read back as the same double
  // (std::to_chars with a precision is specified as printf's %.*g).
  char buffer[40];
  std::to_chars_result end =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::general, 15);
  double back = 0;
  std::from_chars(buffer, end.ptr, back);
  if (back != value) {
    end = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::general, 17);
  }
  out->append(buffer, end.ptr);
}

void JsonWriter::Key(std::string_view name) {
  Separate();
  AppendJsonString(name, out_);
  out_->push_back(':');
  after_key_ = true;
}

void JsonWriter::String(std::string_view text) {
  Separate();
  AppendJsonString(text, out_);
  need_comma_ = true;
}

void JsonWriter::Int(int64_t value) {
  Separate();
  AppendInt(value, out_);
  need_comma_ = true;
}

void JsonWriter::Int64String(int64_t value) {
  Separate();
  out_->push_back('"');
  AppendInt(value, out_);
  out_->push_back('"');
  need_comma_ = true;
}

void JsonWriter::Double(double value) {
  Separate();
  AppendJsonDouble(value, out_);
  need_comma_ = true;
}

void JsonWriter::Bool(bool value) {
  Separate();
  out_->append(value ? "true" : "false");
  need_comma_ = true;
}

void JsonWriter::Null() {
  Separate();
  out_->append("null");
  need_comma_ = true;
}

}  // namespace churn::jsonwriter
