#pragma once
// Writes JSON text into a string as it goes: no tree of values, and no per-value bookkeeping of
// the string (the writer keeps a cursor into room it grows by doubling). Commas and colons are
// placed by the writer; the caller nests Begin/End calls correctly and gives every object member
// a Key first. Numbers follow protobuf's JSON mapping (what the gateway's other responses
// print), so a response written here reads the same as the message printed by protobuf: 64-bit
// integers as quoted decimal strings, doubles in %.15g or, when that does not read back as the
// same double, %.17g, NaN and infinities as the strings "NaN", "Infinity" and "-Infinity".

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace churn::jsonwriter {

// `text` as a JSON string literal, quotes included: '"', '\\' and control characters escaped,
// UTF-8 copied as it is, and every byte that is not part of valid UTF-8 replaced by U+FFFD (so
// the output is always valid JSON and valid UTF-8).
void AppendJsonString(std::string_view text, std::string* out);

// A double as protobuf's JSON printer writes it (see above).
void AppendJsonDouble(double value, std::string* out);

// An object member's name that needs no escaping (printable ASCII but '"' and '\\'), checked
// when the program is compiled: the writer copies it as it is, without scanning it.
class PlainName {
 public:
  template <size_t N>
  consteval PlainName(const char (&name)[N]) : text_(name, N - 1) {  // NOLINT: implicit
    for (size_t i = 0; i + 1 < N; ++i) {
      const unsigned char c = static_cast<unsigned char>(name[i]);
      if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') throw "the name needs escaping";
    }
  }
  std::string_view text() const { return text_; }

 private:
  std::string_view text_;
};

class JsonWriter {
 public:
  // Appends to *out, which must outlive the writer. *out holds the text written so far only
  // after Finish() (or the writer's end): until then its tail is the writer's working room.
  explicit JsonWriter(std::string* out);
  ~JsonWriter() { Finish(); }
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  // Cuts *out to the text written. Writing may go on after it.
  void Finish();

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // The next member's name; the value call that follows is its value. Escaped as any string:
  // for names known when compiling, Key(PlainName) copies them as they are.
  void KeyText(std::string_view name);
  void Key(PlainName name) {
    const std::string_view text = name.text();
    char* at = Separate(Room(text.size() + 3));
    *at++ = '"';
    std::memcpy(at, text.data(), text.size());
    at += text.size();
    *at++ = '"';
    *at++ = ':';
    used_ = static_cast<size_t>(at - out_->data());
    after_key_ = true;
  }

  void String(std::string_view text);
  void Int(int64_t value);          // a bare number (int32 fields)
  void Int64String(int64_t value);  // a quoted number (int64 fields in protobuf's mapping)
  void Double(double value);
  void Bool(bool value);
  void Null();

  // Shorthands for a member: Key(name) then the value.
  void String(PlainName name, std::string_view text) { Key(name), String(text); }
  void Int(PlainName name, int64_t value) { Key(name), Int(value); }
  void Int64String(PlainName name, int64_t value) { Key(name), Int64String(value); }
  void Double(PlainName name, double value) { Key(name), Double(value); }
  void Bool(PlainName name, bool value) { Key(name), Bool(value); }

 private:
  // Room for `bytes` more at the cursor, plus a separator.
  char* Room(size_t bytes) {
    if (capacity_ - used_ < bytes + 1) Grow(bytes + 1);
    return out_->data() + used_;
  }
  void Grow(size_t bytes);
  // The comma before a value that follows another at the same level.
  char* Separate(char* at) {
    if (after_key_) {
      after_key_ = false;
    } else if (need_comma_) {
      *at++ = ',';
    }
    return at;
  }
  void Open(char bracket);
  void Close(char bracket);

  std::string* out_;
  size_t used_;              // bytes of *out_ written
  size_t capacity_;          // *out_'s size while writing: used_ plus the working room
  bool need_comma_ = false;  // a value was written at this level: the next one needs a comma
  bool after_key_ = false;   // a key was written: its value follows without a comma
};

}  // namespace churn::jsonwriter
