#pragma once
// The phrase rules for cancellation intent: a fixed list of phrases that say a customer may
// leave, skipped when a negation comes right before them. Written from the 40 tickets of
// tests/tickets/labelled_tickets.csv; churn_ticket_intent_eval measures them on the held-out
// part of libs/tickets/data/labelled_tickets.csv.

#include <string_view>

namespace churn::tickets {

// True when the (sanitised) ticket text contains a cancellation phrase that is not negated.
bool HasCancellationPhrase(std::string_view ticket_text);

}  // namespace churn::tickets
