#include "signals/shared_text.h"

namespace churn {

const std::string& SharedText::Empty() {
  static const std::string* const kEmpty = new std::string();
  return *kEmpty;
}

std::string JoinTexts(const std::vector<SharedText>& texts, std::string_view separator) {
  std::string joined;
  for (size_t i = 0; i < texts.size(); ++i) {
    if (i > 0) joined.append(separator);
    joined.append(texts[i].str());
  }
  return joined;
}

size_t SharedText::StringBytes() const {
  if (rep_ == nullptr) return 0;
  // The string's own buffer only when it is not stored inline (short-string optimisation).
  const bool on_heap = rep_->text.capacity() > std::string().capacity();
  return sizeof(Rep) + (on_heap ? rep_->text.capacity() + 1 : 0);
}

}  // namespace churn
