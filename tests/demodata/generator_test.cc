#include "demodata/generator.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "demodata/calendar.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/scratch_dir.h"

namespace churn::demodata {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using Row = std::vector<std::string>;

struct Table {
  Row header;
  std::vector<Row> rows;

  size_t Column(const std::string& name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    EXPECT_NE(it, header.end()) << name;
    return static_cast<size_t>(it - header.begin());
  }
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Minimal RFC 4180 reader (quoted fields, doubled quotes); enough for the generator's output.
Table ParseCsv(const std::string& text) {
  std::vector<Row> records;
  Row record;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      record.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record.clear();
    } else {
      field.push_back(c);
    }
  }
  EXPECT_TRUE(field.empty() && record.empty()) << "file does not end with a newline";
  Table table;
  if (records.empty()) return table;
  table.header = records.front();
  table.rows.assign(records.begin() + 1, records.end());
  for (const Row& row : table.rows) EXPECT_EQ(row.size(), table.header.size());
  return table;
}

fs::path TestDir(const std::string& name) {
  // One folder per process: CTest runs the cases of this file in parallel processes.
  const fs::path dir = churn::testing::ProgramScratch() / name;
  fs::remove_all(dir);
  return dir;
}

const std::vector<std::pair<std::string, std::string>>& ExpectedHeaders() {
  static const auto* const headers = new std::vector<std::pair<std::string, std::string>>{
      {"accounts.csv",
       "account_id,account_name,industry,country,signup_date,referral_source,plan_tier,seats,"
       "is_trial,churn_flag"},
      {"subscriptions.csv",
       "subscription_id,account_id,start_date,end_date,plan_tier,seats,mrr_amount,arr_amount,"
       "is_trial,upgrade_flag,downgrade_flag,churn_flag,billing_frequency,auto_renew_flag"},
      {"feature_usage.csv",
       "usage_id,subscription_id,usage_date,feature_name,usage_count,usage_duration_secs,"
       "error_count,is_beta_feature"},
      {"churn_events.csv",
       "churn_event_id,account_id,churn_date,reason_code,refund_amount_usd,"
       "preceding_upgrade_flag,preceding_downgrade_flag,is_reactivation,feedback_text"},
      {"support_tickets.csv",
       "ticket_id,account_id,submitted_at,closed_at,resolution_time_hours,priority,"
       "first_response_time_minutes,satisfaction_score,escalation_flag"},
  };
  return *headers;
}

// The five tables of one generated data set, parsed once for several tests.
struct DataSet {
  GeneratedCounts counts;
  Table accounts, subscriptions, usage, churn_events, tickets;
};

DataSet Generate(const GeneratorOptions& options, const std::string& name) {
  const fs::path dir = TestDir(name);
  DataSet data;
  const absl::Status status = GenerateDemoData(options, dir.string(), &data.counts);
  EXPECT_TRUE(status.ok()) << status;
  data.accounts = ParseCsv(ReadFile(dir / "accounts.csv"));
  data.subscriptions = ParseCsv(ReadFile(dir / "subscriptions.csv"));
  data.usage = ParseCsv(ReadFile(dir / "feature_usage.csv"));
  data.churn_events = ParseCsv(ReadFile(dir / "churn_events.csv"));
  data.tickets = ParseCsv(ReadFile(dir / "support_tickets.csv"));
  fs::remove_all(dir);
  return data;
}

const DataSet& Demo200() {
  static const DataSet* const data = [] {
    GeneratorOptions options;
    options.accounts = 200;
    return new DataSet(Generate(options, "demo200"));
  }();
  return *data;
}

const DataSet& Demo500() {
  static const DataSet* const data = [] {
    GeneratorOptions options;  // the `make run` demo: 500 accounts, seed 7
    return new DataSet(Generate(options, "demo500"));
  }();
  return *data;
}

std::set<std::string> ColumnValues(const Table& table, const std::string& column) {
  std::set<std::string> values;
  const size_t index = table.Column(column);
  for (const Row& row : table.rows) values.insert(row[index]);
  return values;
}

void ExpectUniqueIds(const Table& table, const std::string& column) {
  EXPECT_EQ(ColumnValues(table, column).size(), table.rows.size()) << column << " not unique";
}

int64_t Day(const std::string& date) {
  const auto day = ParseIsoDate(date.substr(0, 10));
  EXPECT_TRUE(day.has_value()) << date;
  return day.value_or(0);
}

TEST(DemoDataTest, WritesTheFiveTablesWithTheRavenStackHeaders) {
  const fs::path dir = TestDir("headers");
  GeneratorOptions options;
  options.accounts = 20;
  ASSERT_TRUE(GenerateDemoData(options, dir.string()).ok());
  for (const auto& [file, header] : ExpectedHeaders()) {
    ASSERT_TRUE(fs::exists(dir / file)) << file;
    const std::string text = ReadFile(dir / file);
    EXPECT_EQ(text.substr(0, text.find('\n')), header) << file;
    EXPECT_FALSE(fs::exists(dir / (file + ".tmp"))) << file;
  }
  fs::remove_all(dir);
}

TEST(DemoDataTest, SameOptionsGiveIdenticalBytesAndAnotherSeedDiffers) {
  GeneratorOptions options;
  options.accounts = 60;
  const fs::path first = TestDir("seed_a"), second = TestDir("seed_b"), other = TestDir("seed_c");
  ASSERT_TRUE(GenerateDemoData(options, first.string()).ok());
  ASSERT_TRUE(GenerateDemoData(options, second.string()).ok());
  options.seed = 8;
  ASSERT_TRUE(GenerateDemoData(options, other.string()).ok());
  for (const auto& [file, header] : ExpectedHeaders()) {
    const std::string text = ReadFile(first / file);
    EXPECT_EQ(text, ReadFile(second / file)) << file;
    EXPECT_NE(text, ReadFile(other / file)) << file;
  }
  for (const fs::path& dir : {first, second, other}) fs::remove_all(dir);
}

TEST(DemoDataTest, CountsMatchTheFilesAndArePlausible) {
  const DataSet& data = Demo200();
  EXPECT_EQ(data.counts.accounts, 200);
  EXPECT_EQ(data.counts.accounts, static_cast<int64_t>(data.accounts.rows.size()));
  EXPECT_EQ(data.counts.subscriptions, static_cast<int64_t>(data.subscriptions.rows.size()));
  EXPECT_EQ(data.counts.usage_rows, static_cast<int64_t>(data.usage.rows.size()));
  EXPECT_EQ(data.counts.churn_events, static_cast<int64_t>(data.churn_events.rows.size()));
  EXPECT_EQ(data.counts.tickets, static_cast<int64_t>(data.tickets.rows.size()));
  EXPECT_GT(data.counts.bytes, 0);

  EXPECT_GE(data.counts.subscriptions, 300);  // 1-3 per account
  EXPECT_LE(data.counts.subscriptions, 600);
  EXPECT_GE(data.counts.usage_rows, 40'000);
  EXPECT_LE(data.counts.usage_rows, 120'000);
  EXPECT_GE(data.counts.churn_events, 20);  // ~20% churned
  EXPECT_LE(data.counts.churn_events, 70);
  EXPECT_GE(data.counts.tickets, 200);
}

TEST(DemoDataTest, IdsAreUniqueAndShapedLikeTheSample) {
  const DataSet& data = Demo200();
  ExpectUniqueIds(data.accounts, "account_id");
  ExpectUniqueIds(data.subscriptions, "subscription_id");
  ExpectUniqueIds(data.usage, "usage_id");
  ExpectUniqueIds(data.churn_events, "churn_event_id");
  ExpectUniqueIds(data.tickets, "ticket_id");
  ExpectUniqueIds(data.churn_events, "account_id");  // one churn event per churned account
  EXPECT_THAT(data.accounts.rows[0][0], ::testing::MatchesRegex("A-[0-9a-f]{6}"));
  EXPECT_THAT(data.subscriptions.rows[0][0], ::testing::MatchesRegex("S-[0-9a-f]{6}"));
  EXPECT_THAT(data.usage.rows[0][0], ::testing::MatchesRegex("U-[0-9a-f]{6}"));
  EXPECT_THAT(data.churn_events.rows[0][0], ::testing::MatchesRegex("C-[0-9a-f]{6}"));
  EXPECT_THAT(data.tickets.rows[0][0], ::testing::MatchesRegex("T-[0-9a-f]{6}"));
}

TEST(DemoDataTest, ForeignKeysResolve) {
  const DataSet& data = Demo200();
  const std::set<std::string> accounts = ColumnValues(data.accounts, "account_id");
  const std::set<std::string> subscriptions = ColumnValues(data.subscriptions, "subscription_id");
  for (const std::string& id : ColumnValues(data.subscriptions, "account_id")) {
    EXPECT_TRUE(accounts.count(id)) << id;
  }
  for (const std::string& id : ColumnValues(data.usage, "subscription_id")) {
    EXPECT_TRUE(subscriptions.count(id)) << id;
  }
  for (const std::string& id : ColumnValues(data.tickets, "account_id")) {
    EXPECT_TRUE(accounts.count(id)) << id;
  }
  for (const std::string& id : ColumnValues(data.churn_events, "account_id")) {
    EXPECT_TRUE(accounts.count(id)) << id;
  }
  // churn_flag on the account <=> it has a churn event.
  const std::set<std::string> churned = ColumnValues(data.churn_events, "account_id");
  const size_t id = data.accounts.Column("account_id");
  const size_t flag = data.accounts.Column("churn_flag");
  for (const Row& row : data.accounts.rows) {
    EXPECT_EQ(row[flag] == "True", churned.count(row[id]) == 1) << row[id];
  }
}

TEST(DemoDataTest, ActivityRunsUpToTheEndDate) {
  const DataSet& data = Demo200();
  const int64_t end_day = Day("2024-12-31");
  const size_t usage_date = data.usage.Column("usage_date");
  std::string latest_usage;
  for (const Row& row : data.usage.rows) latest_usage = std::max(latest_usage, row[usage_date]);
  EXPECT_EQ(latest_usage, "2024-12-31");

  const size_t submitted = data.tickets.Column("submitted_at");
  const size_t escalation = data.tickets.Column("escalation_flag");
  std::string latest_ticket;
  int recent = 0, recent_escalated = 0;
  for (const Row& row : data.tickets.rows) {
    latest_ticket = std::max(latest_ticket, row[submitted]);
    if (Day(row[submitted]) >= end_day - 30) {
      ++recent;
      recent_escalated += row[escalation] == "True";
    }
  }
  EXPECT_EQ(latest_ticket, "2024-12-31");
  EXPECT_GE(recent, 30);
  EXPECT_GE(recent_escalated, 5);
}

TEST(DemoDataTest, HasTrialsDowngradesAndEndedSubscriptions) {
  const DataSet& data = Demo200();
  const size_t account_trial = data.accounts.Column("is_trial");
  int trial_accounts = 0;
  for (const Row& row : data.accounts.rows) trial_accounts += row[account_trial] == "True";
  EXPECT_GE(trial_accounts, 8);  // ~10%
  EXPECT_LE(trial_accounts, 40);

  const size_t trial = data.subscriptions.Column("is_trial");
  const size_t downgrade = data.subscriptions.Column("downgrade_flag");
  const size_t upgrade = data.subscriptions.Column("upgrade_flag");
  const size_t end_date = data.subscriptions.Column("end_date");
  const size_t churn_flag = data.subscriptions.Column("churn_flag");
  const size_t mrr = data.subscriptions.Column("mrr_amount");
  const size_t arr = data.subscriptions.Column("arr_amount");
  int downgrades = 0, upgrades = 0, ended = 0;
  for (const Row& row : data.subscriptions.rows) {
    downgrades += row[downgrade] == "True";
    upgrades += row[upgrade] == "True";
    ended += !row[end_date].empty();
    EXPECT_EQ(row[churn_flag] == "True", !row[end_date].empty());
    EXPECT_EQ(std::stoll(row[arr]), 12 * std::stoll(row[mrr]));
    if (row[trial] == "True") {
      EXPECT_EQ(row[mrr], "0");
    }
  }
  EXPECT_GE(downgrades, 10);
  EXPECT_GE(upgrades, 10);
  EXPECT_GE(ended, 100);
  EXPECT_EQ(ColumnValues(data.subscriptions, "plan_tier"),
            (std::set<std::string>{"Basic", "Enterprise", "Pro"}));
}

TEST(DemoDataTest, ValuesUseTheSampleFormats) {
  const DataSet& data = Demo200();
  EXPECT_EQ(ColumnValues(data.usage, "is_beta_feature"), (std::set<std::string>{"False", "True"}));
  EXPECT_THAT(ColumnValues(data.tickets, "priority"),
              ::testing::ElementsAre("high", "low", "medium", "urgent"));
  const std::set<std::string> satisfaction = ColumnValues(data.tickets, "satisfaction_score");
  EXPECT_TRUE(satisfaction.count(""));  // unanswered surveys stay blank
  EXPECT_TRUE(satisfaction.count("1.0"));
  EXPECT_TRUE(satisfaction.count("5.0"));
  const size_t submitted = data.tickets.Column("submitted_at");
  const size_t closed = data.tickets.Column("closed_at");
  const size_t hours = data.tickets.Column("resolution_time_hours");
  for (const Row& row : data.tickets.rows) {
    ASSERT_THAT(row[closed], ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:00:00"));
    const int64_t resolution = std::stoll(row[hours]);
    EXPECT_EQ(row[hours], std::to_string(resolution) + ".0");
    EXPECT_EQ(Day(row[closed]), Day(row[submitted]) + resolution / 24);
    EXPECT_EQ(std::stoll(row[closed].substr(11, 2)), resolution % 24);
  }
}

TEST(DemoDataTest, ChurnEventsCoverEveryReasonAndQuoteFreeText) {
  const DataSet& data = Demo500();
  EXPECT_EQ(
      ColumnValues(data.churn_events, "reason_code"),
      (std::set<std::string>{"budget", "competitor", "features", "pricing", "support", "unknown"}));
  const std::set<std::string> feedback = ColumnValues(data.churn_events, "feedback_text");
  EXPECT_TRUE(feedback.count(""));
  EXPECT_TRUE(std::any_of(feedback.begin(), feedback.end(), [](const std::string& text) {
    return text.find(',') != std::string::npos;
  }));
  EXPECT_THAT(ColumnValues(data.churn_events, "refund_amount_usd"), ::testing::Contains("0.0"));
}

TEST(DemoDataTest, DemoSizeMatchesTheBrief) {
  const DataSet& data = Demo500();
  EXPECT_GE(data.counts.subscriptions, 1000);
  EXPECT_LE(data.counts.subscriptions, 1500);
  EXPECT_GE(data.counts.usage_rows, 100'000);
  EXPECT_LE(data.counts.usage_rows, 300'000);
}

// A condensed copy of the default scoring (docs/PRODUCT.md "Scoring rules"), to check that the
// demo shows every risk level in useful proportions (the real engine lives in libs/scoring).
TEST(DemoDataTest, ScoresSpreadOverLowMediumAndHigh) {
  const DataSet& data = Demo500();
  const int64_t end_day = Day("2024-12-31");
  struct Signals {
    int64_t usage_30d = 0, usage_prev30d = 0, errors_30d = 0;
  };
  std::map<std::string, Signals> by_subscription;
  const size_t sub = data.usage.Column("subscription_id");
  const size_t date = data.usage.Column("usage_date");
  const size_t count = data.usage.Column("usage_count");
  const size_t errors = data.usage.Column("error_count");
  for (const Row& row : data.usage.rows) {
    const int64_t age = end_day - Day(row[date]);
    Signals& signals = by_subscription[row[sub]];
    if (age <= 30) {
      signals.usage_30d += std::stoll(row[count]);
      signals.errors_30d += std::stoll(row[errors]);
    } else if (age <= 60) {
      signals.usage_prev30d += std::stoll(row[count]);
    }
  }
  struct Support {
    int tickets = 0, rated = 0, satisfaction_sum = 0;
    bool escalated = false;
  };
  std::map<std::string, Support> by_account;
  const size_t ticket_account = data.tickets.Column("account_id");
  for (const Row& row : data.tickets.rows) {
    if (end_day - Day(row[data.tickets.Column("submitted_at")]) > 30) continue;
    Support& support = by_account[row[ticket_account]];
    ++support.tickets;
    const std::string& score = row[data.tickets.Column("satisfaction_score")];
    if (!score.empty()) {
      ++support.rated;
      support.satisfaction_sum += std::stoi(score);
    }
    support.escalated |= row[data.tickets.Column("escalation_flag")] == "True";
  }

  int levels[3] = {0, 0, 0};
  for (const Row& row : data.subscriptions.rows) {
    const Signals signals = by_subscription[row[data.subscriptions.Column("subscription_id")]];
    const Support support = by_account[row[data.subscriptions.Column("account_id")]];
    int points = 0;
    if (signals.usage_prev30d > 0 && signals.usage_prev30d > signals.usage_30d) {
      const double drop = static_cast<double>(signals.usage_prev30d - signals.usage_30d) /
                          static_cast<double>(signals.usage_prev30d);
      points += drop >= 0.6 ? 40 : drop >= 0.4 ? 28 : drop >= 0.2 ? 12 : 0;
    }
    points += support.tickets >= 6 ? 18 : support.tickets >= 3 ? 10 : 0;
    points += signals.errors_30d >= 10 ? 15 : signals.errors_30d >= 3 ? 8 : 0;
    if (support.rated > 0) {
      const double mean = static_cast<double>(support.satisfaction_sum) / support.rated;
      points += mean <= 2 ? 12 : mean <= 3 ? 6 : 0;
    }
    points += support.escalated ? 10 : 0;
    points += row[data.subscriptions.Column("downgrade_flag")] == "True" ? 12 : 0;
    points += row[data.subscriptions.Column("is_trial")] == "True" ? 8 : 0;
    ++levels[points >= 60 ? 2 : points >= 30 ? 1 : 0];
  }
  const double total = static_cast<double>(data.subscriptions.rows.size());
  EXPECT_GE(levels[0] / total, 0.60) << "Low";
  EXPECT_GE(levels[1] / total, 0.08) << "Medium";
  EXPECT_GE(levels[2] / total, 0.03) << "High";
  EXPECT_LE(levels[2] / total, 0.30) << "High";
}

TEST(DemoDataTest, RejectsBadOptionsAndUnwritableDirectories) {
  GeneratorOptions options;
  options.accounts = 5;
  options.end_date = "2024-02-30";
  EXPECT_EQ(GenerateDemoData(options, TestDir("bad_date").string()).code(),
            absl::StatusCode::kInvalidArgument);
  options.end_date = "2024-12-31";
  options.accounts = -1;
  EXPECT_EQ(GenerateDemoData(options, TestDir("bad_accounts").string()).code(),
            absl::StatusCode::kInvalidArgument);
  options.accounts = 5;
  options.churned_share = 0.9;
  EXPECT_EQ(GenerateDemoData(options, TestDir("bad_shares").string()).code(),
            absl::StatusCode::kInvalidArgument);
  options.churned_share = 0.2;

  // A regular file where the directory should be.
  const fs::path blocker = TestDir("blocker");
  fs::create_directories(blocker.parent_path());
  std::ofstream(blocker) << "not a directory";
  const absl::Status status = GenerateDemoData(options, (blocker / "out").string());
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr((blocker / "out").string()));
  fs::remove_all(blocker);
}

TEST(CalendarTest, ParsesFormatsAndKnowsWeekdays) {
  EXPECT_EQ(ParseIsoDate("1970-01-01"), 0);
  EXPECT_EQ(ParseIsoDate("2024-03-01"), *ParseIsoDate("2024-02-29") + 1);
  EXPECT_FALSE(ParseIsoDate("2023-02-29").has_value());
  EXPECT_FALSE(ParseIsoDate("2024-1-01").has_value());
  EXPECT_EQ(DayOfWeek(*ParseIsoDate("2024-12-31")), 1);  // a Tuesday
  EXPECT_EQ(DayOfWeek(*ParseIsoDate("1969-12-28")), 6);  // a Sunday
  std::string text;
  AppendIsoDate(*ParseIsoDate("2024-02-29"), text);
  EXPECT_EQ(text, "2024-02-29");
  const DateTable table(*ParseIsoDate("2024-01-01"), *ParseIsoDate("2024-12-31"));
  text.clear();
  table.Append(*ParseIsoDate("2024-07-04"), text);
  table.Append(*ParseIsoDate("2030-07-04"), text);  // outside the table
  EXPECT_EQ(text, "2024-07-042030-07-04");
}

}  // namespace
}  // namespace churn::demodata

namespace churn::demodata {
namespace {

TEST(DemoTicketTexts, TextsAreLinkedToTheSupportTicketsAndSomeSayTheyWillLeave) {
  const churn::testing::ScratchDir scratch;
  const std::filesystem::path dir = scratch / "demo";
  GeneratorOptions options;
  options.accounts = 300;
  ASSERT_TRUE(GenerateDemoData(options, dir.string()).ok());
  std::ifstream texts(dir / "tickets" / "ticket_texts.csv");
  std::ifstream tickets(dir / "support_tickets.csv");
  std::string text_line, ticket_line;
  std::getline(texts, text_line);
  std::getline(tickets, ticket_line);
  EXPECT_EQ(text_line, "ticket_id,account_id,submitted_at,subject,body");
  int rows = 0, leaving = 0;
  while (std::getline(tickets, ticket_line)) {
    ASSERT_TRUE(std::getline(texts, text_line));
    // Same ticket, same account, same day, in the same order.
    const std::string key = ticket_line.substr(0, ticket_line.find(',', ticket_line.find(',') + 1) + 11);
    EXPECT_EQ(text_line.substr(0, key.size()), key);
    ++rows;
    leaving += text_line.find("cancel") != std::string::npos ||
               text_line.find("not renew") != std::string::npos ||
               text_line.find("competitor") != std::string::npos;
  }
  EXPECT_FALSE(std::getline(texts, text_line));
  EXPECT_GT(rows, 100);
  EXPECT_GT(leaving, 0);
  EXPECT_LT(leaving, rows / 4);
}

TEST(DemoDataTest, NullModeKeepsThePlantedSignalsAndRedrawsOnlyTheLabels) {
  GeneratorOptions options;
  options.accounts = 300;
  options.history_days = 365;
  options.mode = GeneratorMode::kPlanted;
  const fs::path planted = TestDir("planted");
  ASSERT_TRUE(GenerateDemoData(options, planted.string()).ok());
  options.mode = GeneratorMode::kNull;
  const fs::path null = TestDir("null");
  ASSERT_TRUE(GenerateDemoData(options, null.string()).ok());
  options.mode = GeneratorMode::kDefault;
  const fs::path plain = TestDir("plain");
  ASSERT_TRUE(GenerateDemoData(options, plain.string()).ok());
  for (const char* file : {"subscriptions.csv", "feature_usage.csv", "support_tickets.csv"}) {
    EXPECT_EQ(ReadFile(planted / file), ReadFile(null / file)) << file;
    EXPECT_NE(ReadFile(planted / file), ReadFile(plain / file)) << file;
  }
  EXPECT_NE(ReadFile(planted / "churn_events.csv"), ReadFile(null / "churn_events.csv"));
  EXPECT_NE(ReadFile(planted / "accounts.csv"), ReadFile(null / "accounts.csv"));
  // Planted churn is spread over the history, not bunched at its end.
  const Table events = ParseCsv(ReadFile(planted / "churn_events.csv"));
  int before_last_quarter = 0;
  for (const Row& row : events.rows) before_last_quarter += row[2] < "2024-10-01" ? 1 : 0;
  EXPECT_GT(before_last_quarter, static_cast<int>(events.rows.size()) / 2);
}

TEST(DemoDataTest, ModeNames) {
  EXPECT_EQ(*ParseGeneratorMode("planted"), GeneratorMode::kPlanted);
  EXPECT_EQ(*ParseGeneratorMode("null"), GeneratorMode::kNull);
  EXPECT_EQ(*ParseGeneratorMode("default"), GeneratorMode::kDefault);
  EXPECT_FALSE(ParseGeneratorMode("random").ok());
}

}  // namespace
}  // namespace churn::demodata
