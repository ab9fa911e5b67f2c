#include "playbook/export_csv.h"

#include "csv/reader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scored.h"

namespace churn::playbook {
namespace {

using ::testing::HasSubstr;
using testing::Score;
using testing::Signals;
using testing::WorkedExampleHigh;

// A formula in a customer-controlled field must reach the spreadsheet as text.
reports::ScoredCustomer HostileCustomer() {
  CustomerSignals s = Signals("S-7");
  s.account_name = "=HYPERLINK(\"http://x\",\"click\")";
  s.plan_tier = "+Pro, \"quoted\"";
  s.is_trial = true;
  return Score(s);
}

TEST(AtRiskCsv, UsesTheChurnctlColumnsInTheGivenOrder) {
  reports::ScoredCustomer high = WorkedExampleHigh();
  reports::ScoredCustomer hostile = HostileCustomer();
  std::string csv = AtRiskCsv({&hostile, &high});
  EXPECT_THAT(csv, ::testing::StartsWith("customer_id,account_id,account_name,plan_tier,arr,"));
  EXPECT_LT(csv.find("S-7"), csv.find("S-1"));
  EXPECT_THAT(csv, HasSubstr("\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\""));
  EXPECT_THAT(csv, HasSubstr("\"'+Pro, \"\"quoted\"\"\""));
}

TEST(AtRiskCsv, EmptyListIsJustTheHeader) {
  std::string csv = AtRiskCsv({});
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1);
}

TEST(PlaybooksCsv, OneRowPerCustomerWithChecklistAndDrafts) {
  reports::ScoredCustomer high = WorkedExampleHigh();
  reports::ScoredCustomer hostile = HostileCustomer();
  std::string csv = PlaybooksCsv({&high, &hostile});

  // Read it back with the project's CSV reader: quoting must survive multi-line cells.
  std::vector<std::vector<std::string>> rows;
  std::unique_ptr<csv::Reader> reader = csv::Reader::FromString(csv, "playbooks.csv");
  while (true) {
    absl::StatusOr<bool> next = reader->Next();
    ASSERT_TRUE(next.ok()) << next.status();
    if (!*next) break;
    rows.emplace_back(reader->fields().begin(), reader->fields().end());
  }
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][0], "customer_id");
  EXPECT_EQ(rows[0][8], "checklist");
  ASSERT_EQ(rows[1].size(), 12u);
  EXPECT_EQ(rows[1][0], "S-1");
  EXPECT_EQ(rows[1][3], "12000");
  EXPECT_EQ(rows[1][4], "80");
  EXPECT_EQ(rows[1][5], "High");
  EXPECT_THAT(rows[1][8], ::testing::StartsWith(
                              "1. Schedule a check-in to reset goals (due in 1 days)\n2. "));
  EXPECT_EQ(rows[1][9], "Acme: a quick value review for your team");
  EXPECT_THAT(rows[1][10], HasSubstr("Hi Acme team,"));
  EXPECT_THAT(rows[1][11], HasSubstr("[High risk 80/100]"));
  // Formula-like cells start with a quote in the file.
  EXPECT_EQ(rows[2][1], "'=HYPERLINK(\"http://x\",\"click\")");
  EXPECT_EQ(rows[2][2], "'+Pro, \"quoted\"");
  EXPECT_EQ(rows[2][9], "'=HYPERLINK(\"http://x\",\"click\"): getting the most out of your trial");
}

}  // namespace
}  // namespace churn::playbook
