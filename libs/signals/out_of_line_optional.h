#pragma once
// An optional value kept out of line: a pointer's size when absent, the value on the heap when
// present. For large, mostly absent parts of structs held a million at a time (a customer's long
// views): std::optional would reserve the value's full size in every struct. Copies are deep, so
// it behaves like std::optional<T> for the calls the project makes (test, *, ->, assign, reset,
// ==).

#include <memory>
#include <optional>
#include <utility>

namespace churn {

template <typename T>
class OutOfLineOptional {
 public:
  OutOfLineOptional() = default;
  OutOfLineOptional(std::nullopt_t) {}  // NOLINT: implicit like std::optional
  OutOfLineOptional(T value)            // NOLINT: implicit like std::optional
      : value_(std::make_unique<T>(std::move(value))) {}
  OutOfLineOptional(const OutOfLineOptional& other)
      : value_(other.value_ ? std::make_unique<T>(*other.value_) : nullptr) {}
  OutOfLineOptional(OutOfLineOptional&&) noexcept = default;
  OutOfLineOptional& operator=(const OutOfLineOptional& other) {
    if (this != &other) value_ = other.value_ ? std::make_unique<T>(*other.value_) : nullptr;
    return *this;
  }
  OutOfLineOptional& operator=(OutOfLineOptional&&) noexcept = default;
  OutOfLineOptional& operator=(std::nullopt_t) {
    value_.reset();
    return *this;
  }
  OutOfLineOptional& operator=(T value) {
    emplace(std::move(value));
    return *this;
  }

  template <typename... Args>
  T& emplace(Args&&... args) {
    value_ = std::make_unique<T>(std::forward<Args>(args)...);
    return *value_;
  }
  void reset() { value_.reset(); }

  bool has_value() const { return value_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  const T& operator*() const { return *value_; }
  T& operator*() { return *value_; }
  const T* operator->() const { return value_.get(); }
  T* operator->() { return value_.get(); }

  // Like std::optional's: equal when both are absent, or both present with equal values.
  friend bool operator==(const OutOfLineOptional& a, const OutOfLineOptional& b) {
    if (!a.has_value() || !b.has_value()) return a.has_value() == b.has_value();
    return *a == *b;
  }

 private:
  std::unique_ptr<T> value_;
};

}  // namespace churn
