#include "tickets/ticket_text.h"

namespace churn::tickets {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is not valid (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), since JSON encoders downstream
// reject those.
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = static_cast<unsigned char>(text[i]);
  size_t length = 0;
  // The range of the second byte, which is where overlongs, surrogates and values above
  // U+10FFFF show.
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (byte < 0x80) return 1;
  if (byte >= 0xC2 && byte <= 0xDF) {
    length = 2;
  } else if (byte >= 0xE0 && byte <= 0xEF) {
    length = 3;
    if (byte == 0xE0) second_min = 0xA0;
    if (byte == 0xED) second_max = 0x9F;
  } else if (byte >= 0xF0 && byte <= 0xF4) {
    length = 4;
    if (byte == 0xF0) second_min = 0x90;
    if (byte == 0xF4) second_max = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  const auto second = static_cast<unsigned char>(text[i + 1]);
  if (second < second_min || second > second_max) return 0;
  for (size_t k = 2; k < length; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 0;
  }
  return length;
}

}  // namespace

bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8SequenceLength(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string SanitizeTicketText(std::string_view text, size_t max_bytes) {
  std::string clean;
  clean.reserve(std::min(text.size(), max_bytes));
  int pending_newlines = 0;
  bool pending_space = false;
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {  // invalid byte: dropped, so the model gets valid UTF-8
      ++i;
      continue;
    }
    const char c = text[i];
    if (length == 1 && (c == '\n')) {
      ++pending_newlines;
      ++i;
      continue;
    }
    if (length == 1 && (c == ' ' || c == '\t' || c == '\r')) {
      pending_space = true;
      ++i;
      continue;
    }
    if (length == 1 && (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)) {
      ++i;  // NUL and other control characters
      continue;
    }
    std::string separator;
    if (!clean.empty()) {
      if (pending_newlines > 0) separator = pending_newlines > 1 ? "\n\n" : "\n";
      else if (pending_space) separator = " ";
    }
    if (clean.size() + separator.size() + length > max_bytes) break;
    clean += separator;
    clean.append(text.substr(i, length));
    pending_newlines = 0;
    pending_space = false;
    i += length;
  }
  return clean;
}

std::string CombineSubjectAndBody(std::string_view subject, std::string_view body,
                                  size_t max_bytes) {
  const std::string clean_subject = SanitizeTicketText(subject, max_bytes);
  const std::string clean_body = SanitizeTicketText(body, max_bytes);
  if (clean_subject.empty()) return clean_body;
  if (clean_body.empty()) return clean_subject;
  return SanitizeTicketText("Subject: " + clean_subject + "\n\n" + clean_body, max_bytes);
}

}  // namespace churn::tickets
