// The figures of the shipped cancellation-intent detector on the held-out part of the labelled
// tickets (libs/tickets/data/README.md: nothing is tuned on it). Floors sit a little below the
// measured figures, so a regression fails; `churn_ticket_intent_eval` prints them.

#include "tickets/shipped_intent_detector.h"

#include <iostream>

#include "gtest/gtest.h"
#include "tickets/churn_intent_phrases.h"
#include "tickets/fallback_analyzer.h"
#include "tickets/intent_evaluation.h"
#include "tickets/labelled_tickets.h"

namespace churn::tickets {
namespace {

std::vector<LabelledTicket> Split(TicketSplit split) {
  auto tickets = ReadLabelledTickets(std::string(CHURN_SOURCE_DIR) +
                                     "/libs/tickets/data/labelled_tickets.csv");
  EXPECT_TRUE(tickets.ok()) << tickets.status();
  return tickets.ok() ? TicketsOf(*tickets, split) : std::vector<LabelledTicket>{};
}

void Print(std::string_view name, const IntentConfusion& confusion) {
  std::cout << name << ": precision " << confusion.precision() << " recall " << confusion.recall()
            << " F1 " << confusion.f1() << " (TP " << confusion.true_positive << " FP "
            << confusion.false_positive << " FN " << confusion.false_negative << " TN "
            << confusion.true_negative << ")\n";
}

TEST(ShippedIntentDetector, HeldOutFiguresAreAtLeastThoseReported) {
  const std::vector<LabelledTicket> held_out = Split(TicketSplit::kHeldOut);
  const IntentConfusion shipped = EvaluateIntent(held_out, DetectChurnIntent);
  const IntentConfusion rules = EvaluateIntent(held_out, HasCancellationPhrase);
  Print(IntentDetectorKindName(ShippedIntentDetectorKind()), shipped);
  Print("phrase rules", rules);
  // Measured: precision 0.814, recall 0.770, F1 0.792.
  EXPECT_GE(shipped.precision(), 0.78);
  EXPECT_GE(shipped.recall(), 0.73);
  EXPECT_GE(shipped.f1(), 0.75);
  // The phrase rules, unchanged since they were written (precision 0.511, recall 0.311):
  // exact, so a changed rule is noticed and measured again.
  EXPECT_EQ(rules.true_positive, 23);
  EXPECT_EQ(rules.false_positive, 22);
  EXPECT_EQ(rules.false_negative, 51);
  EXPECT_EQ(rules.true_negative, 64);
  EXPECT_GT(shipped.f1(), rules.f1() + 0.2);
}

TEST(ShippedIntentDetector, TheFallbackAnalyserUsesIt) {
  for (TicketSplit split : {TicketSplit::kTrain, TicketSplit::kHeldOut}) {
    for (const LabelledTicket& ticket : Split(split)) {
      EXPECT_EQ(AnalyzeWithRules(ticket.text).churn_intent, DetectChurnIntent(ticket.text))
          << ticket.ticket_id;
    }
  }
}

TEST(ShippedIntentDetector, ReadsNegationsAndOtherCancellations) {
  EXPECT_TRUE(DetectChurnIntent("We will not renew our subscription next year."));
  EXPECT_TRUE(DetectChurnIntent("Please close our account, we moved to another provider."));
  EXPECT_FALSE(DetectChurnIntent("Thanks, all good!"));
  EXPECT_FALSE(DetectChurnIntent(""));
}

}  // namespace
}  // namespace churn::tickets
