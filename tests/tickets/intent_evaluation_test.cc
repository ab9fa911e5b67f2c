#include "tickets/intent_evaluation.h"

#include <fstream>
#include <map>
#include <string>

#include "gtest/gtest.h"
#include "tickets/labelled_tickets.h"
#include "testing/scratch_dir.h"

namespace churn::tickets {
namespace {

// Nine hand-labelled tickets and what a detector said about each:
//   labelled 1, said 1: A B C        -> 3 true positives
//   labelled 0, said 1: D            -> 1 false positive
//   labelled 1, said 0: E F          -> 2 false negatives
//   labelled 0, said 0: G H I        -> 3 true negatives
// precision 3/4, recall 3/5, F1 2*(3/4)*(3/5)/(3/4+3/5) = 0.9/1.35 = 2/3.
TEST(IntentEvaluation, CountsAndRatiosOfATinyHandLabelledSet) {
  const std::map<std::string, bool> said = {{"A", true},  {"B", true},  {"C", true},
                                            {"D", true},  {"E", false}, {"F", false},
                                            {"G", false}, {"H", false}, {"I", false}};
  std::vector<LabelledTicket> tickets;
  for (const char* text : {"A", "B", "C", "E", "F"}) tickets.push_back({text, text, true});
  for (const char* text : {"D", "G", "H", "I"}) tickets.push_back({text, text, false});

  const IntentConfusion confusion =
      EvaluateIntent(tickets, [&](std::string_view text) { return said.at(std::string(text)); });
  EXPECT_EQ(confusion.true_positive, 3);
  EXPECT_EQ(confusion.false_positive, 1);
  EXPECT_EQ(confusion.false_negative, 2);
  EXPECT_EQ(confusion.true_negative, 3);
  EXPECT_EQ(confusion.total(), 9);
  EXPECT_DOUBLE_EQ(confusion.precision(), 0.75);
  EXPECT_DOUBLE_EQ(confusion.recall(), 0.6);
  EXPECT_DOUBLE_EQ(confusion.f1(), 2.0 / 3.0);
}

TEST(IntentEvaluation, ADetectorThatNeverSaysYesGetsNoCredit) {
  std::vector<LabelledTicket> tickets = {{"1", "a", true}, {"2", "b", false}};
  const IntentConfusion silent = EvaluateIntent(tickets, [](std::string_view) { return false; });
  EXPECT_EQ(silent.precision(), 0.0);
  EXPECT_EQ(silent.recall(), 0.0);
  EXPECT_EQ(silent.f1(), 0.0);
  const IntentConfusion eager = EvaluateIntent(tickets, [](std::string_view) { return true; });
  EXPECT_DOUBLE_EQ(eager.precision(), 0.5);
  EXPECT_DOUBLE_EQ(eager.recall(), 1.0);
  EXPECT_DOUBLE_EQ(eager.f1(), 2.0 / 3.0);
}

TEST(IntentEvaluation, PoolingAddsCounts) {
  IntentConfusion pooled, fold;
  fold.Add(true, true);
  fold.Add(true, false);
  pooled.Add(fold);
  pooled.Add(fold);
  EXPECT_EQ(pooled.true_positive, 2);
  EXPECT_EQ(pooled.false_positive, 2);
  EXPECT_DOUBLE_EQ(pooled.precision(), 0.5);
}

std::string WriteTemporary(const std::string& name, const std::string& text) {
  const std::string path = (churn::testing::ProgramScratch() / name).string();
  std::ofstream(path) << text;
  return path;
}

TEST(LabelledTickets, ReadsSubjectAndBodyAsTheAnalysersSeeThem) {
  const std::string path =
      WriteTemporary("labelled_ok.csv",
                     "ticket_id,subject,body,churn_intent,split\n"
                     "T1,Leaving,\"We will not renew.\n\n> old quote\",1,train\n"
                     "T2,,Cancel the meeting,0,heldout\n");
  auto tickets = ReadLabelledTickets(path);
  ASSERT_TRUE(tickets.ok()) << tickets.status();
  ASSERT_EQ(tickets->size(), 2u);
  EXPECT_EQ((*tickets)[0].text, "Subject: Leaving\n\nWe will not renew.\n\n> old quote");
  EXPECT_TRUE((*tickets)[0].churn_intent);
  EXPECT_EQ((*tickets)[0].split, TicketSplit::kTrain);
  EXPECT_EQ((*tickets)[1].text, "Cancel the meeting");
  EXPECT_EQ((*tickets)[1].split, TicketSplit::kHeldOut);
  EXPECT_EQ(TicketsOf(*tickets, TicketSplit::kHeldOut).size(), 1u);
}

TEST(LabelledTickets, BadRowsAreRefusedWithTheirPosition) {
  const std::string header = "ticket_id,subject,body,churn_intent,split\n";
  struct Case {
    std::string rows;
    std::string expected;
  };
  for (const Case& bad : {
           Case{"T1,s,b,yes,train\n", ":2:8: churn_intent must be 0 or 1"},
           Case{"T1,s,b,1,test\n", ":2:10: split must be train or heldout"},
           Case{"T1,s,b,1,train\nT1,s,b,0,train\n", ":3:1: ticket_id 'T1' is empty or repeated"},
           Case{"T1,s,b,1\n", "expected 5 fields, got 4"},
       }) {
    auto tickets = ReadLabelledTickets(WriteTemporary("labelled_bad.csv", header + bad.rows));
    ASSERT_FALSE(tickets.ok()) << bad.rows;
    EXPECT_NE(tickets.status().message().find(bad.expected), std::string::npos) << tickets.status();
  }
  auto no_header = ReadLabelledTickets(WriteTemporary("labelled_header.csv", "id,text\n"));
  EXPECT_FALSE(no_header.ok());
  EXPECT_FALSE(ReadLabelledTickets(::testing::TempDir() + "/missing.csv").ok());
}

// The shipped set: big enough, a held-out part of at least 30%, both labels in both parts.
TEST(LabelledTickets, TheShippedSetHasAFixedHeldOutPart) {
  auto tickets = ReadLabelledTickets(std::string(CHURN_SOURCE_DIR) +
                                     "/libs/tickets/data/labelled_tickets.csv");
  ASSERT_TRUE(tickets.ok()) << tickets.status();
  EXPECT_GE(tickets->size(), 400u);
  const auto held_out = TicketsOf(*tickets, TicketSplit::kHeldOut);
  EXPECT_GE(held_out.size() * 10, tickets->size() * 3);
  for (size_t i = 0; i < tickets->size(); ++i) {
    // The README's rule: ticket Tn is held out when n is a multiple of 3.
    const int n = std::stoi((*tickets)[i].ticket_id.substr(1));
    EXPECT_EQ((*tickets)[i].split, n % 3 == 0 ? TicketSplit::kHeldOut : TicketSplit::kTrain)
        << (*tickets)[i].ticket_id;
  }
  for (TicketSplit split : {TicketSplit::kTrain, TicketSplit::kHeldOut}) {
    int with_intent = 0, without = 0;
    for (const LabelledTicket& ticket : TicketsOf(*tickets, split)) {
      (ticket.churn_intent ? with_intent : without)++;
    }
    EXPECT_GE(with_intent, 50) << SplitName(split);
    EXPECT_GE(without, 50) << SplitName(split);
  }
}

}  // namespace
}  // namespace churn::tickets
