#include "tickets/fallback_analyzer.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"

namespace churn::tickets {
namespace {

// Phrases that say the customer may leave. Matched at word starts, so "cancel" also finds
// "cancellation" and "cancelling".
constexpr std::string_view kCancellationPhrases[] = {
    "cancel", "terminate our", "terminate my", "terminate the contract", "not renew",
    "won't renew", "will not renew", "not be renewing", "don't plan to renew",
    "switch to another", "switching to", "switch providers", "moving to a competitor",
    "move to a competitor", "competitor", "alternatives", "close my account",
    "close our account", "end our subscription", "end my subscription", "discontinue",
    "stop using", "leave your service", "leaving your service", "churn",
    "downgrade or cancel", "pull the plug"};

// Phrases that negate an intent phrase right before it ("do not want to cancel").
constexpr std::string_view kNegations[] = {"don't want to ", "do not want to ", "not going to ",
                                           "no plans to ", "never "};

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

bool IsWordStart(const std::string& text, size_t position) {
  return position == 0 || !absl::ascii_isalnum(static_cast<unsigned char>(text[position - 1]));
}

// Occurrences of `phrase` starting at a word start.
int CountPhrase(const std::string& text, std::string_view phrase, bool skip_negated = false) {
  int count = 0;
  for (size_t at = text.find(phrase); at != std::string::npos; at = text.find(phrase, at + 1)) {
    if (!IsWordStart(text, at)) continue;
    if (skip_negated) {
      bool negated = false;
      for (std::string_view negation : kNegations) {
        negated |= at >= negation.size() &&
                   text.compare(at - negation.size(), negation.size(), negation) == 0;
      }
      if (negated) continue;
    }
    ++count;
  }
  return count;
}

template <typename Phrases>
int CountAny(const std::string& text, const Phrases& phrases) {
  int count = 0;
  for (std::string_view phrase : phrases) count += CountPhrase(text, phrase);
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

  int intent_hits = 0;
  for (std::string_view phrase : kCancellationPhrases) {
    intent_hits += CountPhrase(text, phrase, /*skip_negated=*/true);
  }
  analysis.churn_intent = intent_hits > 0;

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
