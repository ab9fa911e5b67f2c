#include "tickets/fallback_analyzer.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "tickets/phrase_matching.h"
#include "tickets/shipped_intent_detector.h"

namespace churn::tickets {
namespace {

struct CategoryRule {
  std::string_view category;
  std::vector<std::string_view> phrases;
};

// Order breaks ties: billing outranks bug, and so on down the list.
const std::array<CategoryRule, 6>& CategoryRules() {
  static const std::array<CategoryRule, 6> rules = {{
      {"billing", {"invoice", "billing", "billed", "charge", "refund", "price", "pricing",
                   "quote", "renewal", "budget", "payment", "expensive", "cost", "discount",
                   "subscription fee", "overcharged", "plan upgrade", "downgrade"}},
      {"bug", {"bug", "error", "crash", "broken", "not working", "doesn't work",
               "does not work", "fails", "failing", "failed", "exception", "glitch",
               "stopped working", "defect", "malfunction"}},
      {"performance", {"slow", "latency", "lag", "timeout", "timed out", "performance",
                       "takes forever", "loading time", "freez", "unresponsive", "outage",
                       "downtime"}},
      {"onboarding", {"onboarding", "set up", "setup", "getting started", "how do i",
                      "how to", "training", "tutorial", "configure", "install", "new user",
                      "documentation", "walkthrough"}},
      {"feature_request", {"feature request", "would be great", "please add", "could you add",
                           "can you add", "wish", "would love", "suggestion", "missing feature",
                           "integration with", "support for", "roadmap"}},
      {"account", {"password", "login", "log in", "sign in", "access", "locked out",
                   "permission", "sso", "two-factor", "2fa", "user seat", "email address",
                   "account settings", "username"}},
  }};
  return rules;
}

constexpr std::string_view kNegativeWords[] = {
    "frustrat", "angry", "disappoint", "unacceptable", "terrible", "worst", "annoy", "unhappy",
    "not happy", "beyond budget", "over budget", "too expensive", "poor", "horrible", "awful",
    "useless", "ridiculous", "fed up", "still not", "again", "urgent", "cannot afford",
    "can't afford", "upset", "complain", "waste"};
constexpr std::string_view kPositiveWords[] = {"thank", "great", "love", "excellent", "happy",
                                               "appreciate", "awesome", "fantastic", "pleased",
                                               "wonderful", "helpful"};

template <typename Phrases>
int CountAny(const std::string& text, const Phrases& phrases) {
  int count = 0;
  for (std::string_view phrase : phrases) count += CountPhraseAtWordStarts(text, phrase);
  return count;
}

std::string FirstSentence(std::string_view text) {
  constexpr size_t kMaxSummary = 160;
  size_t end = text.size();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || ((text[i] == '.' || text[i] == '!' || text[i] == '?') &&
                            (i + 1 == text.size() || text[i + 1] == ' '))) {
      end = i + (text[i] == '\n' ? 0 : 1);
      if (end > 12) break;  // skip "Subject:"-like stubs
    }
  }
  std::string summary(text.substr(0, std::min(end, kMaxSummary)));
  // Never cut a UTF-8 character in half.
  while (!summary.empty() && (static_cast<unsigned char>(summary.back()) & 0xC0) == 0x80) {
    summary.pop_back();
  }
  if (!summary.empty() && (static_cast<unsigned char>(summary.back()) & 0x80)) summary.pop_back();
  return summary;
}

std::string ActionFor(std::string_view category, bool churn_intent) {
  if (churn_intent) {
    return category == "billing"
               ? "Call within 24 hours: review pricing options and the value delivered before renewal"
               : "Call within 24 hours: acknowledge the issue and agree a recovery plan";
  }
  if (category == "billing") return "Clarify the invoice or pricing and confirm the plan fits";
  if (category == "bug") return "Reproduce the bug, share a fix timeline and follow up";
  if (category == "performance") return "Investigate performance and share findings with a timeline";
  if (category == "onboarding") return "Offer a guided onboarding session";
  if (category == "feature_request") return "Log the request and share roadmap or workaround";
  if (category == "account") return "Resolve the access issue and confirm with the customer";
  return "Acknowledge and route to the right team";
}

}  // namespace

TicketAnalysis AnalyzeWithRules(std::string_view ticket_text) {
  const std::string text = absl::AsciiStrToLower(std::string(ticket_text));
  TicketAnalysis analysis;
  analysis.source = "fallback";
  analysis.summary = FirstSentence(ticket_text);

  analysis.churn_intent = DetectChurnIntent(ticket_text);

  analysis.category = "other";
  int best = 0;
  for (const CategoryRule& rule : CategoryRules()) {
    const int hits = CountAny(text, rule.phrases);
    if (hits > best) {
      best = hits;
      analysis.category = std::string(rule.category);
    }
  }

  const int negative = CountAny(text, kNegativeWords) + (analysis.churn_intent ? 2 : 0);
  const int positive = CountAny(text, kPositiveWords);
  if (negative > positive) {
    analysis.sentiment = "negative";
  } else if (positive > negative && analysis.category != "bug") {
    analysis.sentiment = "positive";
  } else {
    analysis.sentiment = "neutral";
  }
  analysis.recommended_action = ActionFor(analysis.category, analysis.churn_intent);
  return analysis;
}

}  // namespace churn::tickets
