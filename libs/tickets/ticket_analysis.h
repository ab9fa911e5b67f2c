#pragma once
// The structured reading of one support ticket, whichever analyser produced it.

#include <string>
#include <string_view>

namespace churn::tickets {

// The schema the language model must answer in (and the fallback fills the same way).
inline constexpr std::string_view kCategories[] = {"billing",         "bug",     "onboarding",
                                                   "performance",     "feature_request",
                                                   "account",         "other"};
inline constexpr std::string_view kSentiments[] = {"negative", "neutral", "positive"};

struct TicketAnalysis {
  std::string summary;
  std::string category;   // one of kCategories
  std::string sentiment;  // one of kSentiments
  bool churn_intent = false;
  std::string recommended_action;
  std::string source;  // "model" or "fallback": always shown with the result
};

}  // namespace churn::tickets
