#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reports/report_format.h"
#include "reports/spreadsheet_csv.h"
#include "reports/summary.h"

namespace churn::reports {
namespace {

using ::testing::HasSubstr;

CustomerSignals Customer(std::string id, double arr, std::string tier, int64_t tickets,
                         bool churned = false) {
  CustomerSignals s;
  s.customer_id = std::move(id);
  s.account_id = "A-" + s.customer_id;
  s.account_name = "=HYPERLINK(\"x\")";  // a formula: must be neutralised in CSV
  s.plan_tier = std::move(tier);
  s.arr = arr;
  s.tickets_30d = tickets;
  s.churned = churned;
  return s;
}

std::vector<ScoredCustomer> Sample() {
  CustomerSignals high = Customer("S-3", 100, "Pro", 6);
  high.usage_drop_pct = 0.6;
  high.churn_intent_30d = 1;  // 80 High
  return ScoreAll(scoring::DefaultRuleSet(),
                  {Customer("S-1", 500, "Basic", 3, true), Customer("S-2", 900, "Basic", 3), high,
                   Customer("S-0", 900, "Pro", 0)});
}

TEST(ScoreAll, SortsByScoreThenArrThenId) {
  std::vector<ScoredCustomer> scored = Sample();
  ASSERT_EQ(scored.size(), 4u);
  EXPECT_EQ(scored[0].signals.customer_id, "S-3");  // 80
  EXPECT_EQ(scored[1].signals.customer_id, "S-2");  // 10, arr 900
  EXPECT_EQ(scored[2].signals.customer_id, "S-1");  // 10, arr 500
  EXPECT_EQ(scored[3].signals.customer_id, "S-0");  // 0
}

// Rows equal in score, ARR and id (a repeated subscription id) keep their input order, and
// every row is scored, however many there are (ScoreAll works from the last row back).
TEST(ScoreAll, EqualRowsKeepTheirInputOrder) {
  std::vector<CustomerSignals> customers;
  for (int i = 0; i < 10000; ++i) {
    CustomerSignals c =
        Customer(i % 2 == 0 ? "S-same" : "S-" + std::to_string(i), 100, "Pro", i % 7);
    c.account_name = std::to_string(i);
    customers.push_back(std::move(c));
  }
  std::vector<ScoredCustomer> scored = ScoreAll(scoring::DefaultRuleSet(), customers);
  ASSERT_EQ(scored.size(), customers.size());
  int previous = -1;
  for (size_t i = 0; i < scored.size(); ++i) {
    EXPECT_EQ(scored[i].assessment.risk_score,
              scoring::ScoreCustomer(scoring::DefaultRuleSet(), scored[i].signals).risk_score);
    if (i > 0 && scored[i].signals.customer_id == "S-same" &&
        scored[i - 1].signals.customer_id == "S-same" &&
        scored[i].assessment.risk_score == scored[i - 1].assessment.risk_score) {
      EXPECT_LT(previous, std::stoi(scored[i].signals.account_name)) << i;
    }
    previous = std::stoi(scored[i].signals.account_name);
  }
}

// Each row pairs the signals to_score names with the assessment and opinion at the same place,
// in to_score's order, over more rows than one release step (JoinScored works from the back).
TEST(JoinScored, PairsEachNamedSignalWithItsAssessmentInOrder) {
  std::vector<CustomerSignals> signals;
  for (int i = 0; i < 10000; ++i)
    signals.push_back(Customer("S-" + std::to_string(i), i, "Pro", 0));
  std::vector<uint32_t> to_score;
  for (uint32_t i = 0; i < signals.size(); ++i) {
    if (i % 3 != 1) to_score.push_back(i);  // the others kept their rows: not scored
  }
  std::vector<scoring::Assessment> assessments(to_score.size());
  std::vector<std::optional<SecondOpinion>> opinions(to_score.size());
  for (size_t k = 0; k < to_score.size(); ++k) {
    assessments[k].customer_id = signals[to_score[k]].customer_id;
    assessments[k].risk_score = static_cast<int>(k % 101);
    if (k % 7 == 0)
      opinions[k] = SecondOpinion{.label = "opinion " + std::to_string(k), .top_contributions = {}};
  }
  const std::vector<ScoredCustomer> rows =
      JoinScored(signals, to_score, std::move(assessments), std::move(opinions));
  ASSERT_EQ(rows.size(), to_score.size());
  for (size_t k = 0; k < rows.size(); ++k) {
    ASSERT_EQ(rows[k].signals, signals[to_score[k]]) << k;
    EXPECT_EQ(rows[k].assessment.customer_id, rows[k].signals.customer_id) << k;
    EXPECT_EQ(rows[k].assessment.risk_score, static_cast<int>(k % 101)) << k;
    ASSERT_EQ(rows[k].second_opinion.has_value(), k % 7 == 0) << k;
    if (k % 7 == 0) {
      EXPECT_EQ(rows[k].second_opinion->label, "opinion " + std::to_string(k));
    }
  }
  // Without opinions: none on any row.
  const std::vector<ScoredCustomer> plain =
      JoinScored(signals, {0, 5}, std::vector<scoring::Assessment>(2), {});
  ASSERT_EQ(plain.size(), 2u);
  EXPECT_EQ(plain[1].signals.customer_id, "S-5");
  EXPECT_FALSE(plain[0].second_opinion.has_value() || plain[1].second_opinion.has_value());
}

// SortAtRisk (sorting keys, on two threads past 16k rows) gives exactly std::stable_sort with
// scoring::AtRiskBefore: ties of score and ARR by id, NaN ARR last, equal rows in input order.
TEST(SortAtRisk, EqualsAStableSortOnAtRiskBefore) {
  std::vector<ScoredCustomer> rows;
  uint32_t state = 12345;
  auto next = [&state] { return state = state * 1103515245u + 12345u, (state >> 8) % 1000; };
  for (int i = 0; i < 40000; ++i) {
    ScoredCustomer row;
    // Many repeated ids; ids that share their first 8 bytes (the sort's key) and differ later,
    // end within them, hold a NUL byte or a byte past 127 (compared unsigned).
    const uint32_t id = next() % 300;
    switch (next() % 5) {
      case 0: row.signals.customer_id = "S-" + std::to_string(id); break;
      case 1: row.signals.customer_id = "SUB-0000" + std::to_string(id); break;
      case 2: row.signals.customer_id = std::string("S-\0", 3) + std::to_string(id % 7); break;
      case 3: row.signals.customer_id = "S-\xe9" + std::to_string(id % 11); break;
      default: row.signals.customer_id = std::string(id % 9, 'S'); break;
    }
    row.assessment.customer_id = row.signals.customer_id;
    row.signals.arr = next() % 13 == 0 ? std::nan("") : static_cast<double>(next() % 20) * 100;
    row.assessment.risk_score = static_cast<int>(next() % 7) * 10;
    row.signals.account_name = std::to_string(i);  // tells equal rows apart
    rows.push_back(std::move(row));
  }
  std::vector<std::string> expected;
  {
    std::vector<const ScoredCustomer*> sorted;
    for (const ScoredCustomer& row : rows) sorted.push_back(&row);
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
      return scoring::AtRiskBefore(a->assessment, a->signals.arr, b->assessment, b->signals.arr);
    });
    for (const ScoredCustomer* row : sorted) expected.push_back(row->signals.account_name);
  }
  SortAtRisk(&rows);
  ASSERT_EQ(rows.size(), expected.size());
  for (size_t i = 0; i < rows.size(); ++i)
    ASSERT_EQ(rows[i].signals.account_name, expected[i]) << i;
}

TEST(Summary, ExecutiveFigures) {
  const ExecutiveSummary e =
      SummarizeExecutive(Sample(), dataset::ParseDate("2024-12-31"), std::nullopt);
  EXPECT_EQ(e.customers, 4);
  EXPECT_EQ(e.churned_customers, 1);
  EXPECT_DOUBLE_EQ(e.churn_rate, 0.25);
  EXPECT_EQ(e.high_risk_count, 1);
  EXPECT_DOUBLE_EQ(e.high_risk_share, 0.25);
  EXPECT_EQ(e.low_risk_count, 3);
  EXPECT_DOUBLE_EQ(e.total_arr, 2400);
  EXPECT_DOUBLE_EQ(e.average_arr, 600);
  EXPECT_DOUBLE_EQ(e.arr_at_risk_high, 100);
  EXPECT_DOUBLE_EQ(e.arr_at_risk_medium, 0);
}

TEST(Summary, DriversFigures) {
  const DriversSummary d = SummarizeDrivers(Sample(), {{"pricing", 2}, {"budget", 5}});
  ASSERT_EQ(d.by_plan_tier.size(), 2u);
  EXPECT_EQ(d.by_plan_tier[0].segment, "Basic");
  EXPECT_DOUBLE_EQ(d.by_plan_tier[0].mean_risk_score, 10);
  EXPECT_EQ(d.by_plan_tier[1].segment, "Pro");
  EXPECT_DOUBLE_EQ(d.by_plan_tier[1].mean_risk_score, 40);
  ASSERT_FALSE(d.drivers.empty());
  EXPECT_EQ(d.drivers[0].rule, "support_load");
  EXPECT_EQ(d.drivers[0].customers, 3);
  EXPECT_EQ(d.churn_reasons[0].first, "budget");
}

TEST(Summary, DriverLabelsComeFromTheRulesInForce) {
  const DriversSummary labelled =
      SummarizeDrivers(Sample(), {}, {{"support_load", "Too many tickets"}});
  ASSERT_FALSE(labelled.drivers.empty());
  EXPECT_EQ(labelled.drivers[0].rule, "support_load");
  EXPECT_EQ(labelled.drivers[0].label, "Too many tickets");
  // Without the rules' labels the id is put into words.
  EXPECT_EQ(SummarizeDrivers(Sample(), {}).drivers[0].label, "Support load");
}

// Rows are formatted in blocks on two threads: every row is written once, in order, and
// --limit cuts anywhere in a block.
TEST(Format, CsvOfManyRowsKeepsTheirOrder) {
  std::vector<CustomerSignals> customers;
  for (int i = 0; i < 20000; ++i) {
    customers.push_back(Customer("S-" + std::to_string(100000 + i), 1000 - i % 991, "Pro", i % 5));
  }
  const std::vector<ScoredCustomer> scored = ScoreAll(scoring::DefaultRuleSet(), customers);
  for (size_t limit : {size_t{0}, size_t{1}, size_t{4096}, size_t{8193}, size_t{12345}}) {
    std::ostringstream out;
    WriteAtRiskList(scored, limit, OutputFormat::kCsv, out);
    std::istringstream lines(out.str());
    std::string line;
    std::getline(lines, line);  // header
    size_t row = 0;
    while (std::getline(lines, line)) {
      ASSERT_LT(row, scored.size());
      EXPECT_EQ(line.substr(0, line.find(',')), scored[row].signals.customer_id) << row;
      ++row;
    }
    EXPECT_EQ(row, limit == 0 ? scored.size() : limit);
  }
}

TEST(Format, CsvIsSpreadsheetSafeAndComplete) {
  std::ostringstream out;
  WriteAtRiskList(Sample(), 2, OutputFormat::kCsv, out);
  const std::string csv = out.str();
  EXPECT_THAT(csv, HasSubstr("customer_id,account_id,account_name,plan_tier,arr,churned,risk_score,"
                             "risk_level,top_reasons,recommended_actions,usage_30d,usage_prev30d,"
                             "usage_drop_pct,errors_30d,tickets_30d,satisfaction_score,"
                             "escalation_flag,churn_intent_30d,downgrade_flag,is_trial\n"));
  EXPECT_THAT(csv, HasSubstr("\"'=HYPERLINK(\"\"x\"\")\""));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);  // header + limit 2
  EXPECT_EQ(SpreadsheetCsvField("@cmd"), "'@cmd");
  EXPECT_EQ(SpreadsheetCsvField("plain"), "plain");
  EXPECT_EQ(SpreadsheetCsvField("a,b"), "\"a,b\"");
}

TEST(Format, JsonCarriesTheAuditTrail) {
  std::ostringstream out;
  WriteAtRiskList(Sample(), 1, OutputFormat::kJson, out);
  nlohmann::json list = nlohmann::json::parse(out.str());
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["risk_score"], 80);
  EXPECT_EQ(list[0]["risk_level"], "High");
  ASSERT_EQ(list[0]["fired_rules"].size(), 3u);
  EXPECT_EQ(list[0]["fired_rules"][0]["rule"], "usage_drop");
  EXPECT_EQ(list[0]["fired_rules"][0]["points"], 40);
  EXPECT_TRUE(list[0]["satisfaction_score"].is_null());
}

TEST(Format, OutputIsDeterministic) {
  std::ostringstream a, b;
  WriteAtRiskList(Sample(), 0, OutputFormat::kJson, a);
  WriteAtRiskList(Sample(), 0, OutputFormat::kJson, b);
  EXPECT_EQ(a.str(), b.str());
}

TEST(Format, UnknownFormatIsAnError) {
  EXPECT_FALSE(ParseOutputFormat("xml").ok());
  EXPECT_EQ(*ParseOutputFormat("JSON"), OutputFormat::kJson);
}

}  // namespace
}  // namespace churn::reports
