#pragma once
// An immutable text that copies share: a pointer's size in the struct that holds it, one
// reference-counted string on the heap for every copy. For texts repeated across a million rows
// (a rule's reason, an action): the rules give a bounded set of texts per rules version, and
// a TextInterner (text_interner.h) makes every row holding the same text hold one string. Reads
// like a const std::string (converts to const std::string&, std::string_view and
// absl::string_view; StrFormat's %s wants .str()), so code that
// only reads texts needs no change; an empty text holds no string at all.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace churn {

class SharedText {
 public:
  SharedText() = default;
  SharedText(std::string_view text)  // NOLINT: implicit like std::string
      : rep_(text.empty() ? nullptr : new Rep(std::string(text))) {}
  SharedText(std::string&& text)  // NOLINT: implicit like std::string
      : rep_(text.empty() ? nullptr : new Rep(std::move(text))) {}
  SharedText(const std::string& text)  // NOLINT: implicit like std::string
      : SharedText(std::string_view(text)) {}
  SharedText(const char* text)  // NOLINT: implicit like std::string
      : SharedText(std::string_view(text)) {}

  SharedText(const SharedText& other) noexcept : rep_(other.rep_) { Ref(); }
  SharedText(SharedText&& other) noexcept : rep_(std::exchange(other.rep_, nullptr)) {}
  SharedText& operator=(const SharedText& other) noexcept {
    if (rep_ != other.rep_) {
      other.Ref();
      Unref();
      rep_ = other.rep_;
    }
    return *this;
  }
  SharedText& operator=(SharedText&& other) noexcept {
    if (this != &other) {
      Unref();
      rep_ = std::exchange(other.rep_, nullptr);
    }
    return *this;
  }
  ~SharedText() { Unref(); }

  const std::string& str() const { return rep_ ? rep_->text : Empty(); }
  operator const std::string&() const { return str(); }  // NOLINT: reads as a string
  operator std::string_view() const { return str(); }    // NOLINT: reads as a string
  operator absl::string_view() const { return str(); }   // NOLINT: for StrCat, StrJoin
  bool empty() const { return rep_ == nullptr; }
  size_t size() const { return str().size(); }
  const char* data() const { return str().data(); }
  const char* c_str() const { return str().c_str(); }
  // True when both hold the same string on the heap (or both are empty): what interning gives.
  bool SharesStringWith(const SharedText& other) const { return rep_ == other.rep_; }
  // The heap bytes this copy's string takes, or 0 when empty (for memory accounting: every
  // copy reports the same string).
  size_t StringBytes() const;

  friend bool operator==(const SharedText& a, std::string_view b) { return a.str() == b; }
  friend auto operator<=>(const SharedText& a, std::string_view b) {
    return std::string_view(a.str()) <=> b;
  }
  friend std::ostream& operator<<(std::ostream& out, const SharedText& text) {
    return out << text.str();
  }

 private:
  struct Rep {
    explicit Rep(std::string t) : text(std::move(t)) {}
    std::atomic<uint32_t> refs{1};
    std::string text;
  };

  static const std::string& Empty();
  void Ref() const {
    if (rep_) rep_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  void Unref() {
    if (rep_ && rep_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete rep_;
  }

  Rep* rep_ = nullptr;
};

// The texts joined by `separator` (absl::StrJoin's formatter cannot take a SharedText).
std::string JoinTexts(const std::vector<SharedText>& texts, std::string_view separator);

}  // namespace churn
