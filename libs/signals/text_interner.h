#pragma once
// Hands out one SharedText per distinct text: every row given the same text by one interner holds
// the same string. Not thread-safe (one per thread); it keeps its texts alive until destroyed.

#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "signals/shared_text.h"

namespace churn {

class TextInterner {
 public:
  SharedText Intern(std::string_view text);
  // The same, taking `text`'s buffer when the text is new.
  SharedText Intern(std::string&& text);

  size_t size() const { return texts_.size(); }

 private:
  // Keys view the string each value holds (stable: it is on the heap and never changes).
  absl::flat_hash_map<std::string_view, SharedText> texts_;
};

}  // namespace churn
