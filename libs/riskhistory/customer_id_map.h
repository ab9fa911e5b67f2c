#pragma once
// A map from customer id to a small value, packed for a million customers: the ids in one
// buffer, the values in one array, and a hash set of 4-byte row numbers that reads the ids from
// the buffer. About 30 bytes a customer where an absl::flat_hash_map<std::string, Value> takes
// about 90 (a 32-byte string and the value in every slot, twice the slots of the customers).
// Rows keep the order they were added in.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace churn::riskhistory {

template <typename Value>
class CustomerIdMap {
 public:
  CustomerIdMap() : rows_(std::make_unique<Rows>()), index_(NewIndex(rows_.get())) {}
  CustomerIdMap(const CustomerIdMap& other) : CustomerIdMap() { *this = other; }
  CustomerIdMap& operator=(const CustomerIdMap& other) {
    if (this != &other) {
      auto rows = other.rows_ ? std::make_unique<Rows>(*other.rows_) : std::make_unique<Rows>();
      Index index = NewIndex(rows.get());
      index.reserve(other.index_.size());
      for (uint32_t row : other.index_) index.insert(row);
      rows_ = std::move(rows);
      index_ = std::move(index);
    }
    return *this;
  }
  // The rows stay where they are on the heap, so the index's view of them survives a move. A
  // moved-from map is empty.
  CustomerIdMap(CustomerIdMap&&) noexcept = default;
  CustomerIdMap& operator=(CustomerIdMap&&) noexcept = default;

  // Room for `rows` customers without regrowing.
  void reserve(size_t rows) {
    Own();
    rows_->ends.reserve(rows);
    rows_->values.reserve(rows);
    index_.reserve(rows);
  }

  // The value of `customer_id`, added (value-initialised) when missing. The reference holds
  // until the next customer is added.
  Value& operator[](std::string_view customer_id) {
    return *try_emplace(customer_id, Value()).first;
  }
  // Adds `value` for `customer_id` unless it has one; its value, and whether it was added.
  std::pair<Value*, bool> try_emplace(std::string_view customer_id, Value value) {
    auto it = index_.find(customer_id);
    if (it != index_.end()) return {&rows_->values[*it], false};
    Own();
    const auto row = static_cast<uint32_t>(rows_->values.size());
    rows_->ids.append(customer_id.data(), customer_id.size());
    rows_->ends.push_back(static_cast<uint32_t>(rows_->ids.size()));
    rows_->values.push_back(std::move(value));
    index_.insert(row);
    return {&rows_->values.back(), true};
  }

  // Null when `customer_id` has no value.
  const Value* Find(std::string_view customer_id) const {
    auto it = index_.find(customer_id);
    return it == index_.end() ? nullptr : &rows_->values[*it];
  }

  // Starts loading the index's slot for `customer_id` into the cache, for a lookup soon after.
  void prefetch(std::string_view customer_id) const {
    index_.prefetch(customer_id);
  }

  size_t size() const { return index_.size(); }
  bool empty() const { return index_.empty(); }
  // Row `row`'s id and value, rows in the order they were added.
  std::string_view id(size_t row) const { return rows_->Id(static_cast<uint32_t>(row)); }
  const Value& value(size_t row) const { return rows_->values[row]; }

  // The heap bytes held (ids, values and index).
  size_t ApproxBytes() const {
    if (rows_ == nullptr) return 0;
    return rows_->ids.capacity() + rows_->ends.capacity() * sizeof(uint32_t) +
           rows_->values.capacity() * sizeof(Value) + index_.capacity() * (sizeof(uint32_t) + 1);
  }

 private:
  struct Rows {
    std::string ids;             // every id, one after the other
    std::vector<uint32_t> ends;  // where each row's id ends in `ids`
    std::vector<Value> values;
    std::string_view Id(uint32_t row) const {
      const uint32_t begin = row == 0 ? 0 : ends[row - 1];
      return std::string_view(ids).substr(begin, ends[row] - begin);
    }
  };
  struct Hash {
    using is_transparent = void;
    const Rows* rows;
    size_t operator()(uint32_t row) const { return (*this)(rows->Id(row)); }
    size_t operator()(std::string_view id) const {
      return absl::HashOf(absl::string_view(id.data(), id.size()));
    }
  };
  struct Eq {
    using is_transparent = void;
    const Rows* rows;
    std::string_view Id(uint32_t row) const { return rows->Id(row); }
    std::string_view Id(std::string_view id) const { return id; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return Id(a) == Id(b);
    }
  };
  using Index = absl::flat_hash_set<uint32_t, Hash, Eq>;
  static Index NewIndex(const Rows* rows) { return Index(0, Hash{rows}, Eq{rows}); }
  // Rows of its own again after a move left none.
  void Own() {
    if (rows_ != nullptr) return;
    rows_ = std::make_unique<Rows>();
    index_ = NewIndex(rows_.get());
  }

  std::unique_ptr<Rows> rows_;
  Index index_;
};

}  // namespace churn::riskhistory
