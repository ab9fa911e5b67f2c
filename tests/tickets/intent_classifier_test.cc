#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tickets/intent_classifier.h"
#include "tickets/intent_classifier_training.h"
#include "tickets/intent_features.h"
#include "tickets/labelled_tickets.h"
#include "tickets/shipped_intent_detector.h"

namespace churn::tickets {
namespace {

std::vector<uint32_t> Indices(std::string_view text, const IntentFeatureOptions& options = {}) {
  std::vector<uint32_t> indices;
  for (const IntentFeature& feature : IntentFeatures(text, options)) {
    indices.push_back(feature.index);
  }
  return indices;
}

bool SharesAll(const std::vector<uint32_t>& part, const std::vector<uint32_t>& whole) {
  return std::includes(whole.begin(), whole.end(), part.begin(), part.end());
}

TEST(IntentFeatures, WordsAreLowerCasedAndContractionsSpelledOut) {
  EXPECT_EQ(
      IntentWords("We WON'T renew, can't stay"),
      (std::vector<std::string>{"we", "will", "not", "renew", ".", "can", "not", "stay", "."}));
  EXPECT_EQ(IntentWords("we don\xE2\x80\x99t"), (std::vector<std::string>{"we", "do", "not", "."}));
  EXPECT_EQ(IntentWords("Subject: Bye\n\nSee you"),
            (std::vector<std::string>{"bye", ".", "see", "you", "."}));
  // "won't renew" and "will not renew" are the same words.
  EXPECT_EQ(Indices("we won't renew"), Indices("we will not renew"));
}

TEST(IntentFeatures, QuotedLinesAreLeftOut) {
  EXPECT_EQ(Indices("Thanks, we stay.\n> We are cancelling.\n  >> old"),
            Indices("Thanks, we stay."));
}

TEST(IntentFeatures, EveryTicketHasUnitLength) {
  for (std::string_view text : {"cancel", "a much longer ticket with many, many words in it"}) {
    double squared = 0;
    for (const IntentFeature& feature : IntentFeatures(text)) {
      squared += feature.value * feature.value;
    }
    EXPECT_NEAR(squared, 1.0, 1e-12) << text;
  }
  EXPECT_TRUE(IntentFeatures("").empty());
}

TEST(IntentFeatures, StemsAndNegationScopeAreOptional) {
  const IntentFeatureOptions stems{.word_stems = true};
  // "cancellation" and "cancelling" share the stem "cance" only with stems on.
  auto shared = [](const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
    std::vector<uint32_t> both;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
    return both.size();
  };
  EXPECT_EQ(shared(Indices("cancellation"), Indices("cancelling")), 0u);
  EXPECT_EQ(shared(Indices("cancellation", stems), Indices("cancelling", stems)), 1u);

  // With negation scope, "cancel" after "not" is a different word than "cancel" alone, and the
  // scope ends at the clause.
  const IntentFeatureOptions negation{.negation_scope = true};
  EXPECT_FALSE(SharesAll(Indices("cancel", negation), Indices("not cancel", negation)));
  EXPECT_TRUE(SharesAll(Indices("cancel"), Indices("not cancel")));
  EXPECT_TRUE(SharesAll(Indices("cancel", negation), Indices("not now. cancel", negation)));

  // Without function words, "we" is no feature of its own but still part of "we leave".
  const IntentFeatureOptions content{.drop_function_words = true};
  EXPECT_TRUE(Indices("we", content).empty());
  EXPECT_EQ(Indices("we leave", content).size(), 2u);  // "leave", "we leave"
  EXPECT_EQ(Indices("we leave").size(), 3u);
  EXPECT_TRUE(Indices("we are", content).empty());
}

TEST(IntentFeatures, HashingIsFixed) {
  // The weights trained at build time index these slots at run time on any platform.
  const std::vector<IntentFeature> features = IntentFeatures("cancel");
  ASSERT_EQ(features.size(), 1u);
  EXPECT_EQ(features[0].index, IntentFeatures("CANCEL!")[0].index);
  EXPECT_LT(features[0].index, kIntentHashedFeatures);
}

std::vector<LabelledTicket> TrainSplit() {
  auto tickets = ReadLabelledTickets(std::string(CHURN_SOURCE_DIR) +
                                     "/libs/tickets/data/labelled_tickets.csv");
  EXPECT_TRUE(tickets.ok()) << tickets.status();
  return tickets.ok() ? TicketsOf(*tickets, TicketSplit::kTrain) : std::vector<LabelledTicket>{};
}

TEST(IntentClassifierTraining, LearnsASeparableToySet) {
  std::vector<LabelledTicket> toy = {{"1", "please close the account", true},
                                     {"2", "we are leaving for a rival", true},
                                     {"3", "close the report", false},
                                     {"4", "the report is slow", false}};
  const IntentClassifier classifier = TrainIntentClassifier(toy, {.l2 = 1e-4});
  for (const LabelledTicket& ticket : toy) {
    EXPECT_EQ(IntentProbability(classifier, ticket.text) >= 0.5, ticket.churn_intent)
        << ticket.text;
  }
}

TEST(IntentClassifierTraining, IsDeterministic) {
  const std::vector<LabelledTicket> train = TrainSplit();
  const IntentTrainingOptions options{.l2 = 1e-4, .inputs = {.words = {.word_stems = true}}};
  const IntentClassifier first = TrainIntentClassifier(train, options);
  const IntentClassifier second = TrainIntentClassifier(train, options);
  EXPECT_EQ(first.weights, second.weights);  // bit for bit
  EXPECT_EQ(first.bias, second.bias);
  EXPECT_NE(std::count(first.weights.begin(), first.weights.end(), 0.0),
            static_cast<long>(first.weights.size()));
}

// The build step is reproducible: choosing and training again from the train split gives the
// detector kind and the exact weights compiled into the library.
TEST(IntentClassifierTraining, TheShippedDetectorIsWhatTheTrainSplitGives) {
  const std::vector<LabelledTicket> train = TrainSplit();
  const IntentDetectorChoice choice = ChooseIntentDetector(train);
  EXPECT_EQ(choice.candidates.size(), IntentCandidates().size());
  EXPECT_EQ(choice.chosen.kind, ShippedIntentDetectorKind());
  const IntentClassifier retrained = TrainIntentClassifier(
      train, choice.chosen.kind == IntentDetectorKind::kPhraseRules ? IntentCandidates()[1].training
                                                                    : choice.chosen.training);
  const IntentClassifier& shipped = ShippedIntentClassifier();
  EXPECT_EQ(retrained.inputs.words, shipped.inputs.words);
  EXPECT_EQ(retrained.inputs.phrase_feature, shipped.inputs.phrase_feature);
  EXPECT_EQ(retrained.bias, shipped.bias);
  EXPECT_TRUE(retrained.weights == shipped.weights);
}

}  // namespace
}  // namespace churn::tickets
