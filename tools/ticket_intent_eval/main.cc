// churn_ticket_intent_eval: precision, recall and F1 of cancellation-intent detection on the
// hand-labelled tickets, for the phrase rules and for the detector the fallback analyser ships.
//
// Usage: churn_ticket_intent_eval [--data CSV] [--split heldout|train|all] [--format table|json]
//                                 [--show-misses]

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"
#include "tickets/churn_intent_phrases.h"
#include "tickets/intent_evaluation.h"
#include "tickets/labelled_tickets.h"
#include "tickets/shipped_intent_detector.h"

namespace {

using churn::tickets::IntentConfusion;
using churn::tickets::IntentDetector;
using churn::tickets::LabelledTicket;

constexpr char kUsage[] =
    "usage: churn_ticket_intent_eval [--data CSV] [--split heldout|train|all]\n"
    "                                [--format table|json] [--show-misses]\n"
    "Default data: the labelled set of the source tree; default split: heldout.\n";

struct NamedDetector {
  std::string name;
  IntentDetector detect;
};

int UsageError(std::string_view message) {
  std::cerr << "churn_ticket_intent_eval: " << message << "\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = CHURN_LABELLED_TICKETS, split = "heldout", format = "table";
  bool show_misses = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--show-misses") {
      show_misses = true;
    } else if ((flag == "--data" || flag == "--split" || flag == "--format") && i + 1 < argc) {
      (flag == "--data" ? data : flag == "--split" ? split : format) = argv[++i];
    } else if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      return 0;
    } else {
      return UsageError(absl::StrFormat("unknown or incomplete flag %s", std::string(flag)));
    }
  }
  if (split != "heldout" && split != "train" && split != "all") {
    return UsageError("--split must be heldout, train or all");
  }
  if (format != "table" && format != "json") return UsageError("--format must be table or json");

  auto all = churn::tickets::ReadLabelledTickets(data);
  if (!all.ok()) {
    std::cerr << "churn_ticket_intent_eval: " << all.status().message() << "\n";
    return 1;
  }
  const std::vector<LabelledTicket> tickets =
      split == "all" ? *all
                     : churn::tickets::TicketsOf(*all, split == "train"
                                                           ? churn::tickets::TicketSplit::kTrain
                                                           : churn::tickets::TicketSplit::kHeldOut);
  const std::vector<NamedDetector> detectors = {
      {"phrase_rules", churn::tickets::HasCancellationPhrase},
      {absl::StrFormat("shipped (%s)", std::string(churn::tickets::IntentDetectorKindName(
                                           churn::tickets::ShippedIntentDetectorKind()))),
       churn::tickets::DetectChurnIntent},
  };

  nlohmann::json json = {{"split", split}, {"tickets", tickets.size()}};
  int labelled = 0;
  for (const LabelledTicket& ticket : tickets) labelled += ticket.churn_intent;
  json["with_intent"] = labelled;
  if (format == "table") {
    std::cout << absl::StrFormat("%s split: %d tickets, %d with cancellation intent\n", split,
                                 tickets.size(), labelled)
              << absl::StrFormat("%-42s %5s %5s %5s %5s %9s %6s %6s\n", "detector", "TP", "FP",
                                 "FN", "TN", "precision", "recall", "F1");
  }
  for (const NamedDetector& detector : detectors) {
    const IntentConfusion confusion = churn::tickets::EvaluateIntent(tickets, detector.detect);
    if (format == "table") {
      std::cout << absl::StrFormat("%-42s %5d %5d %5d %5d %9.3f %6.3f %6.3f\n", detector.name,
                                   confusion.true_positive, confusion.false_positive,
                                   confusion.false_negative, confusion.true_negative,
                                   confusion.precision(), confusion.recall(), confusion.f1());
    }
    json["detectors"].push_back({{"name", detector.name},
                                 {"true_positive", confusion.true_positive},
                                 {"false_positive", confusion.false_positive},
                                 {"false_negative", confusion.false_negative},
                                 {"true_negative", confusion.true_negative},
                                 {"precision", confusion.precision()},
                                 {"recall", confusion.recall()},
                                 {"f1", confusion.f1()}});
    if (show_misses) {
      for (const LabelledTicket& ticket : tickets) {
        if (detector.detect(ticket.text) == ticket.churn_intent) continue;
        std::cerr << detector.name << " " << (ticket.churn_intent ? "missed " : "false alarm ")
                  << ticket.ticket_id << ": " << ticket.text.substr(0, 120) << "\n";
      }
    }
  }
  if (format == "json") std::cout << json.dump(2) << "\n";
  return 0;
}
