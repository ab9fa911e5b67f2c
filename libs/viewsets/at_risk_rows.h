#pragma once
// A ViewSet's rows in at-risk order, read like a vector of rows: pointers into row storage the
// view sets share (view_set.h), so views rebuilt after a few customers changed hold the other
// customers' rows without copying them.

#include <cstddef>
#include <iterator>
#include <utility>
#include <vector>

#include "reports/scored_customer.h"

namespace churn::viewsets {

class AtRiskRows {
 public:
  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = reports::ScoredCustomer;
    using difference_type = std::ptrdiff_t;
    using pointer = const reports::ScoredCustomer*;
    using reference = const reports::ScoredCustomer&;

    const_iterator() = default;
    explicit const_iterator(const reports::ScoredCustomer* const* at) : at_(at) {}
    reference operator*() const { return **at_; }
    pointer operator->() const { return *at_; }
    reference operator[](difference_type n) const { return *at_[n]; }
    const_iterator& operator++() {
      ++at_;
      return *this;
    }
    const_iterator operator++(int) { return const_iterator(at_++); }
    const_iterator& operator--() {
      --at_;
      return *this;
    }
    const_iterator operator--(int) { return const_iterator(at_--); }
    const_iterator& operator+=(difference_type n) {
      at_ += n;
      return *this;
    }
    const_iterator& operator-=(difference_type n) {
      at_ -= n;
      return *this;
    }
    friend const_iterator operator+(const_iterator it, difference_type n) { return it += n; }
    friend const_iterator operator+(difference_type n, const_iterator it) { return it += n; }
    friend const_iterator operator-(const_iterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const_iterator a, const_iterator b) { return a.at_ - b.at_; }
    friend auto operator<=>(const_iterator a, const_iterator b) = default;

   private:
    const reports::ScoredCustomer* const* at_ = nullptr;
  };
  using iterator = const_iterator;
  using value_type = reports::ScoredCustomer;
  using size_type = size_t;

  AtRiskRows() = default;
  explicit AtRiskRows(std::vector<const reports::ScoredCustomer*> rows) : rows_(std::move(rows)) {}

  size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  const reports::ScoredCustomer& operator[](size_t i) const { return *rows_[i]; }
  const reports::ScoredCustomer& front() const { return *rows_.front(); }
  const reports::ScoredCustomer& back() const { return *rows_.back(); }
  const_iterator begin() const { return const_iterator(rows_.data()); }
  const_iterator end() const { return const_iterator(rows_.data() + rows_.size()); }
  // The row pointers themselves (positions index them).
  const std::vector<const reports::ScoredCustomer*>& pointers() const { return rows_; }
  int64_t pointer_bytes() const {
    return static_cast<int64_t>(rows_.capacity() * sizeof(const reports::ScoredCustomer*));
  }

 private:
  std::vector<const reports::ScoredCustomer*> rows_;
};

}  // namespace churn::viewsets
