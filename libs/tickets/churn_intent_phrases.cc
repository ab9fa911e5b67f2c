#include "tickets/churn_intent_phrases.h"

#include <string>

#include "absl/strings/ascii.h"
#include "tickets/phrase_matching.h"

namespace churn::tickets {
namespace {

// Phrases that say the customer may leave. Matched at word starts, so "cancel" also finds
// "cancellation" and "cancelling".
constexpr std::string_view kCancellationPhrases[] = {"cancel",
                                                     "terminate our",
                                                     "terminate my",
                                                     "terminate the contract",
                                                     "not renew",
                                                     "won't renew",
                                                     "will not renew",
                                                     "not be renewing",
                                                     "don't plan to renew",
                                                     "switch to another",
                                                     "switching to",
                                                     "switch providers",
                                                     "moving to a competitor",
                                                     "move to a competitor",
                                                     "competitor",
                                                     "alternatives",
                                                     "close my account",
                                                     "close our account",
                                                     "end our subscription",
                                                     "end my subscription",
                                                     "discontinue",
                                                     "stop using",
                                                     "leave your service",
                                                     "leaving your service",
                                                     "churn",
                                                     "downgrade or cancel",
                                                     "pull the plug"};

// Phrases that negate an intent phrase right before it ("do not want to cancel").
constexpr std::string_view kNegations[] = {"don't want to ", "do not want to ", "not going to ",
                                           "no plans to ", "never "};

}  // namespace

bool HasCancellationPhrase(std::string_view ticket_text) {
  const std::string text = absl::AsciiStrToLower(std::string(ticket_text));
  for (std::string_view phrase : kCancellationPhrases) {
    if (CountPhraseAtWordStarts(text, phrase, kNegations) > 0) return true;
  }
  return false;
}

}  // namespace churn::tickets
