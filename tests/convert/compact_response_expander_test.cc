// ScoreBatch's compact answer read two ways: expanded to the full-text response and converted
// (convert::FromProto, the path for a scoring service that answers full text), and read straight
// into assessments (CompactAssessmentReader, the gateway's path). Both give equal assessments,
// equal to scoring in process; the reader shares the rules' texts between rows.
#include "convert/compact_response_expander.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "convert/assessment_convert.h"
#include "convert/compact_assessment_convert.h"
#include "convert/signals_convert.h"
#include "scoring/compact_assessment.h"
#include "scoring/engine.h"
#include "scoring/rule_set.h"

namespace churn::convert {
namespace {

std::vector<CustomerSignals> RandomCustomers(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int k) { return static_cast<int>(rng() % static_cast<uint32_t>(k)); };
  std::vector<CustomerSignals> customers(n);
  for (size_t i = 0; i < n; ++i) {
    CustomerSignals& c = customers[i];
    c.customer_id = "S-" + std::to_string(seed) + "-" + std::to_string(i);
    c.usage_30d = pick(100);
    c.usage_prev30d = pick(100);
    c.usage_drop_pct = pick(3) == 0 ? 0 : pick(1000) / 1000.0;
    c.errors_30d = pick(20);
    c.tickets_30d = pick(9);
    if (pick(2)) c.satisfaction_score = pick(50) / 10.0;
    c.escalation_flag = pick(4) == 0;
    if (pick(2)) c.avg_first_response_min = pick(600);
    if (pick(2)) c.avg_resolution_hours = pick(100);
    c.churn_intent_30d = pick(5) == 0 ? pick(3) : 0;
    c.downgrade_flag = pick(6) == 0;
    c.is_trial = pick(5) == 0;
  }
  return customers;
}

// The request for `customers` and scoring's compact answer to it, the texts included when
// `with_texts`.
void CompactExchange(const scoring::RuleSet& rules, const std::vector<CustomerSignals>& customers,
                     bool with_texts, v1::ScoreBatchRequest* request,
                     v1::ScoreBatchResponse* response) {
  const scoring::RulesTexts texts = scoring::BuildRulesTexts(rules);
  request->Clear();
  response->Clear();
  for (const CustomerSignals& c : customers) {
    ToProto(c, request->add_customers());
    AppendToProto(scoring::ScoreCustomerCompact(rules, c), texts, response->mutable_compact());
  }
  response->mutable_rules()->set_sha256("rules-1");
  if (with_texts) ToProto(texts, "rules-1", response->mutable_rules_texts());
}

void ExpectSameAssessment(const scoring::Assessment& a, const scoring::Assessment& b) {
  EXPECT_EQ(a.customer_id, b.customer_id);
  EXPECT_EQ(a.risk_score, b.risk_score);
  EXPECT_EQ(a.risk_level, b.risk_level);
  ASSERT_EQ(a.fired_rules.size(), b.fired_rules.size()) << a.customer_id;
  for (size_t k = 0; k < a.fired_rules.size(); ++k) {
    EXPECT_EQ(a.fired_rules[k].rule.str(), b.fired_rules[k].rule.str());
    EXPECT_EQ(a.fired_rules[k].tier.str(), b.fired_rules[k].tier.str());
    EXPECT_EQ(a.fired_rules[k].points, b.fired_rules[k].points);
    EXPECT_EQ(a.fired_rules[k].reason.str(), b.fired_rules[k].reason.str());
  }
  ASSERT_EQ(a.reasons.size(), b.reasons.size()) << a.customer_id;
  for (size_t k = 0; k < a.reasons.size(); ++k) EXPECT_EQ(a.reasons[k].str(), b.reasons[k].str());
  ASSERT_EQ(a.actions.size(), b.actions.size()) << a.customer_id;
  for (size_t k = 0; k < a.actions.size(); ++k) EXPECT_EQ(a.actions[k].str(), b.actions[k].str());
  EXPECT_EQ(a.top_reasons.str(), b.top_reasons.str());
  EXPECT_EQ(a.recommended_actions.str(), b.recommended_actions.str());
}

TEST(CompactAssessmentReaderTest, ReadsWhatTheExpandedFullTextResponseSays) {
  const scoring::RuleSet& rules = scoring::DefaultRuleSet();
  CompactResponseExpander expander;
  CompactAssessmentReader reader;
  size_t fired = 0;
  // Two batches: the texts come with the first only.
  for (uint32_t batch = 0; batch < 2; ++batch) {
    const std::vector<CustomerSignals> customers = RandomCustomers(500, batch + 1);
    v1::ScoreBatchRequest request;
    v1::ScoreBatchResponse compact;
    CompactExchange(rules, customers, /*with_texts=*/batch == 0, &request, &compact);

    absl::StatusOr<std::shared_ptr<const HeldRulesTexts>> held = expander.Learn(compact);
    ASSERT_TRUE(held.ok()) << held.status();
    absl::StatusOr<std::vector<scoring::Assessment>> read = reader.Read(**held, request, compact);
    ASSERT_TRUE(read.ok()) << read.status();
    v1::ScoreBatchResponse full;
    ASSERT_TRUE(expander.Expand(request, compact, &full).ok());
    ASSERT_EQ(full.assessments_size(), static_cast<int>(customers.size()));
    ASSERT_EQ(read->size(), customers.size());
    for (size_t i = 0; i < customers.size(); ++i) {
      SCOPED_TRACE(customers[i].customer_id);
      absl::StatusOr<scoring::Assessment> converted =
          FromProto(full.mutable_assessments(static_cast<int>(i)), "assessment");
      ASSERT_TRUE(converted.ok()) << converted.status();
      ExpectSameAssessment((*read)[i], *converted);
      ExpectSameAssessment((*read)[i], scoring::ScoreCustomer(rules, customers[i]));
      fired += (*read)[i].fired_rules.size();
    }
  }
  EXPECT_GT(fired, 500u);  // the random customers fire rules, quoted values among them
}

TEST(CompactAssessmentReaderTest, RowsShareTheRulesTexts) {
  const scoring::RuleSet& rules = scoring::DefaultRuleSet();
  std::vector<CustomerSignals> customers(3);
  for (CustomerSignals& c : customers) c.is_trial = true;  // a reason that quotes nothing
  customers[2].tickets_30d = 7;                            // one that quotes a count
  v1::ScoreBatchRequest request;
  v1::ScoreBatchResponse compact;
  CompactExchange(rules, customers, true, &request, &compact);
  CompactResponseExpander expander;
  CompactAssessmentReader reader;
  absl::StatusOr<std::shared_ptr<const HeldRulesTexts>> held = expander.Learn(compact);
  ASSERT_TRUE(held.ok());
  absl::StatusOr<std::vector<scoring::Assessment>> read = reader.Read(**held, request, compact);
  ASSERT_TRUE(read.ok());
  const scoring::Assessment& a = (*read)[0];
  const scoring::Assessment& b = (*read)[1];
  ASSERT_FALSE(a.fired_rules.empty());
  EXPECT_TRUE(a.fired_rules[0].rule.SharesStringWith(b.fired_rules[0].rule));
  EXPECT_TRUE(a.fired_rules[0].reason.SharesStringWith(b.fired_rules[0].reason));
  EXPECT_TRUE(a.top_reasons.SharesStringWith(b.top_reasons));
  EXPECT_TRUE(a.recommended_actions.SharesStringWith(b.recommended_actions));
  EXPECT_FALSE(a.top_reasons.SharesStringWith((*read)[2].top_reasons));
}

TEST(CompactAssessmentReaderTest, UnknownTextsAndColumnsThatDoNotFitAreRefused) {
  const scoring::RuleSet& rules = scoring::DefaultRuleSet();
  const std::vector<CustomerSignals> customers = RandomCustomers(4, 9);
  v1::ScoreBatchRequest request;
  v1::ScoreBatchResponse compact;
  CompactExchange(rules, customers, /*with_texts=*/false, &request, &compact);
  CompactResponseExpander expander;
  EXPECT_EQ(expander.Learn(compact).status().code(), absl::StatusCode::kFailedPrecondition);

  CompactExchange(rules, customers, /*with_texts=*/true, &request, &compact);
  absl::StatusOr<std::shared_ptr<const HeldRulesTexts>> held = expander.Learn(compact);
  ASSERT_TRUE(held.ok());
  request.mutable_customers()->RemoveLast();
  CompactAssessmentReader reader;
  EXPECT_EQ(reader.Read(**held, request, compact).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Newer rules than the texts held.
  compact.clear_rules_texts();
  compact.mutable_rules()->set_sha256("rules-2");
  EXPECT_EQ(expander.Learn(compact).status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace churn::convert
