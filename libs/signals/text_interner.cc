#include "signals/text_interner.h"

#include <utility>

namespace churn {

SharedText TextInterner::Intern(std::string_view text) {
  if (text.empty()) return SharedText();
  auto it = texts_.find(text);
  if (it != texts_.end()) return it->second;
  SharedText shared(text);
  const std::string& held = shared.str();
  return texts_.emplace(std::string_view(held), std::move(shared)).first->second;
}

SharedText TextInterner::Intern(std::string&& text) {
  if (text.empty()) return SharedText();
  auto it = texts_.find(std::string_view(text));
  if (it != texts_.end()) return it->second;
  SharedText shared(std::move(text));
  const std::string& held = shared.str();
  return texts_.emplace(std::string_view(held), std::move(shared)).first->second;
}

}  // namespace churn
