// Loading the five tables from dirty input: every case gives a clear error or a warning.

#include "dataset/loader.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/data_folder.h"
#include "status/status_macros.h"

namespace churn::dataset {
namespace {

using ::testing::HasSubstr;
using churn::testing::DefaultTables;
using churn::testing::WriteDataFolder;

absl::StatusOr<Dataset> Load(const std::string& dir, LoadOptions options = {}) {
  CHURN_ASSIGN_OR_RETURN(DataFiles files, FindDataFiles(dir));
  return LoadDataset(files, options, nullptr);
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string all;
  for (const std::string& line : lines) all += line + "\n";
  return all;
}

TEST(Loader, LoadsCleanTables) {
  absl::StatusOr<Dataset> data = Load(WriteDataFolder("clean"));
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->accounts.size(), 2u);
  EXPECT_EQ(data->subscriptions.size(), 2u);
  EXPECT_EQ(data->churn_events.size(), 1u);
  EXPECT_EQ(data->tickets.size(), 2u);
  EXPECT_EQ(FormatDate(*data->latest_usage_day), "2024-12-31");
  EXPECT_EQ(FormatDate(*data->latest_ticket_day), "2024-12-31");
  EXPECT_EQ(data->report.of(Table::kFeatureUsage).rows, 3);
  EXPECT_EQ(data->subscriptions[1].is_trial, true);
  EXPECT_EQ(data->subscriptions[1].downgrade_flag, true);
  EXPECT_EQ(data->subscriptions[0].arr, 12000);
  EXPECT_FALSE(data->tickets[1].satisfaction_score);  // blank stays absent
  EXPECT_EQ(*data->tickets[0].satisfaction_score, 2);
}

TEST(Loader, FindsPrefixedFileNames) {
  std::map<std::string, std::string> renamed;
  const std::string dir = WriteDataFolder("prefixed");
  for (const auto& [file, text] : DefaultTables()) {
    std::filesystem::rename(std::filesystem::path(dir) / file,
                            std::filesystem::path(dir) / ("ravenstack_" + file));
  }
  EXPECT_TRUE(Load(dir).ok());
}

TEST(Loader, MissingTableIsAnError) {
  const std::string dir = WriteDataFolder("missing_table");
  std::filesystem::remove(std::filesystem::path(dir) / "churn_events.csv");
  absl::Status status = Load(dir).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(status.message()), HasSubstr("churn_events"));
}

TEST(Loader, MissingRequiredColumnNamesIt) {
  absl::Status status =
      Load(WriteDataFolder("missing_column",
                           {{"feature_usage.csv",
                             "usage_id,subscription_id,usage_date,feature_name,error_count\n"
                             "U-1,S-1,2024-12-31,f1,0\n"}}))
          .status();
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr("feature_usage.csv:1:1"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("missing required column usage_count"));
}

TEST(Loader, ExtraColumnsAreIgnoredAndHeadersMatchLoosely) {
  absl::StatusOr<Dataset> data = Load(WriteDataFolder(
      "extra_columns", {{"accounts.csv", "extra,Account_ID , account_name\nx,A-1,Acme\ny,A-2,Globex\n"}}));
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->accounts[1].account_name, "Globex");
}

TEST(Loader, BadDateNamesFileLineColumnAndExpectation) {
  absl::Status status = Load(WriteDataFolder(
      "bad_date", {{"feature_usage.csv",
                    "usage_id,subscription_id,usage_date,feature_name,usage_count,"
                    "usage_duration_secs,error_count,is_beta_feature\n"
                    "U-1,S-1,2024-12-31,f1,10,100,1,False\n"
                    "U-2,S-1,2024-13-45,f1,20,100,0,False\n"}})).status();
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("feature_usage.csv:3:9: usage_date: expected a date YYYY-MM-DD"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("got '2024-13-45'"));
}

TEST(Loader, BadNumberNamesTheColumn) {
  absl::Status status = Load(WriteDataFolder(
      "bad_number", {{"subscriptions.csv",
                      "subscription_id,account_id,plan_tier,arr_amount,is_trial,downgrade_flag\n"
                      "S-1,A-1,Pro,12k,False,False\n"}})).status();
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("subscriptions.csv:2:13: arr_amount: expected a finite number, got '12k'"));
}

TEST(Loader, BadBooleanAndNegativeCountAreErrors) {
  absl::Status bad_bool = Load(WriteDataFolder(
      "bad_bool", {{"subscriptions.csv",
                    "subscription_id,account_id,plan_tier,arr_amount,is_trial,downgrade_flag\n"
                    "S-1,A-1,Pro,1,maybe,False\n"}})).status();
  EXPECT_THAT(std::string(bad_bool.message()), HasSubstr("is_trial: expected a boolean"));
  absl::Status negative = Load(WriteDataFolder(
      "negative", {{"feature_usage.csv",
                    "subscription_id,usage_date,usage_count,error_count\nS-1,2024-12-31,-4,0\n"}}))
                              .status();
  EXPECT_THAT(std::string(negative.message()), HasSubstr(":2:"));
  EXPECT_THAT(std::string(negative.message()), HasSubstr("usage_count: expected a count >= 0"));
}

TEST(Loader, SatisfactionOutsideOneToFiveIsAnError) {
  absl::Status status = Load(WriteDataFolder(
      "bad_satisfaction",
      {{"support_tickets.csv",
        "ticket_id,account_id,submitted_at,satisfaction_score,escalation_flag\n"
        "T-1,A-1,2024-12-31,7,False\n"}})).status();
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("support_tickets.csv:2:20: satisfaction_score: expected a score from 1 "
                        "to 5, got 7"));
}

TEST(Loader, UnterminatedQuoteIsAnErrorWithPosition) {
  absl::Status status = Load(WriteDataFolder(
      "unterminated", {{"churn_events.csv",
                        "churn_event_id,account_id,churn_date,reason_code,feedback_text\n"
                        "C-1,A-2,2024-10-01,pricing,\"never closed\n"}})).status();
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr("churn_events.csv:2:"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("unterminated"));
}

TEST(Loader, EmptyFileIsAnError) {
  absl::Status status = Load(WriteDataFolder("empty", {{"support_tickets.csv", ""}})).status();
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), HasSubstr("support_tickets.csv:1:1: empty file"));
}

TEST(Loader, HeaderOnlyIsAnEmptyTable) {
  absl::StatusOr<Dataset> data = Load(WriteDataFolder(
      "header_only",
      {{"support_tickets.csv",
        "ticket_id,account_id,submitted_at,satisfaction_score,escalation_flag\n"}}));
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_TRUE(data->tickets.empty());
  EXPECT_FALSE(data->latest_ticket_day);
}

TEST(Loader, NulBytesBomAndCrlfAreHandled) {
  const std::string accounts = std::string("\xEF\xBB\xBF") + "account_id,account_name\r\nA-1,Ac" +
                               std::string(1, '\0') + "me\r\nA-2,Globex\r\n";
  absl::StatusOr<Dataset> data = Load(WriteDataFolder("dirty", {{"accounts.csv", accounts}}));
  ASSERT_TRUE(data.ok()) << data.status();
  ASSERT_EQ(data->accounts.size(), 2u);
  EXPECT_EQ(data->accounts[0].account_id, "A-1");
  EXPECT_EQ(data->accounts[0].account_name, "Acme");
  EXPECT_EQ(data->accounts[1].account_name, "Globex");
}

TEST(Loader, DuplicateIdsAreWarningsAndRowsAreKept) {
  absl::StatusOr<Dataset> data = Load(WriteDataFolder(
      "duplicates", {{"feature_usage.csv",
                      "usage_id,subscription_id,usage_date,usage_count,error_count\n"
                      "U-1,S-1,2024-12-31,10,0\nU-1,S-1,2024-12-30,5,0\nU-2,S-2,2024-12-30,1,0\n"},
                     {"accounts.csv", "account_id,account_name\nA-1,Acme\nA-2,Globex\nA-1,Again\n"}}));
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->report.of(Table::kFeatureUsage).rows, 3);
  EXPECT_THAT(Joined(data->report.of(Table::kFeatureUsage).warnings),
              HasSubstr("1 duplicate usage_id values (rows kept): line 3 repeats line 2"));
  EXPECT_EQ(data->accounts.size(), 3u);
  EXPECT_THAT(Joined(data->report.of(Table::kAccounts).warnings),
              HasSubstr("1 duplicate account_id values"));
}

TEST(Loader, DuplicateTicketAndChurnEventIdsAreWarnings) {
  absl::StatusOr<Dataset> data = Load(WriteDataFolder(
      "duplicate_tickets",
      {{"support_tickets.csv",
        "ticket_id,account_id,submitted_at,satisfaction_score,escalation_flag\n"
        "T-1,A-1,2024-12-30,,False\nT-2,A-2,2024-12-30,,False\nT-1,A-1,2024-12-31,,False\n"
        "T-3,A-1,2024-12-31,,False\nT-2,A-2,2024-12-31,,False\n"},
       {"churn_events.csv",
        "churn_event_id,account_id,churn_date,reason_code\n"
        "C-1,A-2,2024-10-01,pricing\nC-1,A-2,2024-10-02,pricing\n"}}));
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->tickets.size(), 5u);
  EXPECT_THAT(Joined(data->report.of(Table::kSupportTickets).warnings),
              HasSubstr("2 duplicate ticket_id values (rows kept): T-1, T-2"));
  EXPECT_EQ(data->tickets[2].account_index, 0);  // the remembered account lookup
  EXPECT_EQ(data->tickets[4].account_index, 1);
  EXPECT_THAT(Joined(data->report.of(Table::kChurnEvents).warnings),
              HasSubstr("1 duplicate churn_event_id values (rows kept): C-1"));
}

TEST(Loader, OrphanKeysAreWarningsAndRowsAreKept) {
  absl::StatusOr<Dataset> data = Load(WriteDataFolder(
      "orphans",
      {{"support_tickets.csv",
        "ticket_id,account_id,submitted_at,satisfaction_score,escalation_flag\n"
        "T-1,A-404,2024-12-31,,False\n"},
       {"feature_usage.csv",
        "subscription_id,usage_date,usage_count,error_count\nS-404,2025-01-05,1,0\nS-1,2024-12-31,1,0\n"}}));
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->tickets.size(), 1u);
  EXPECT_THAT(Joined(data->report.of(Table::kSupportTickets).warnings),
              HasSubstr("1 support tickets whose account_id is not in accounts"));
  EXPECT_THAT(Joined(data->report.of(Table::kFeatureUsage).warnings),
              HasSubstr("1 usage rows whose subscription_id is not in subscriptions"));
  // The orphan's date still counts for the window end: it is in the usage table.
  EXPECT_EQ(FormatDate(*data->latest_usage_day), "2025-01-05");
}

TEST(Loader, WrongFieldCountIsAnError) {
  absl::Status status = Load(WriteDataFolder(
      "short_row", {{"accounts.csv", "account_id,account_name,industry\nA-1,Acme\n"}})).status();
  EXPECT_THAT(std::string(status.message()), HasSubstr("accounts.csv:2:"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("expected 3 fields as in the header, got 2"));
}

TEST(Loader, RejectionBudgetSkipsBadRowsAndReportsThem) {
  const std::string dir = WriteDataFolder(
      "tolerated", {{"feature_usage.csv",
                     "subscription_id,usage_date,usage_count,error_count\n"
                     "S-1,2024-12-31,1,0\nS-1,not-a-date,1,0\nS-1,2024-12-30,x,0\n"}});
  LoadOptions options;
  options.max_rejected_rows = 2;
  absl::StatusOr<Dataset> data = Load(dir, options);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->report.of(Table::kFeatureUsage).rows, 1);
  EXPECT_EQ(data->report.of(Table::kFeatureUsage).rejected, 2);
  EXPECT_THAT(Joined(data->report.of(Table::kFeatureUsage).warnings), HasSubstr(":3:"));
  options.max_rejected_rows = 1;
  EXPECT_FALSE(Load(dir, options).ok());
}

// Churn events and tickets may be read while the subscriptions and usage are; the budget is
// still spent in table order (accounts, subscriptions, usage, churn events, tickets), so the
// same rows are rejected and the same error is reported with one thread or several.
TEST(Loader, RejectionBudgetIsSpentInTableOrderWithAnyThreads) {
  const std::string dir = WriteDataFolder(
      "tolerated_tables", {{"feature_usage.csv",
                            "subscription_id,usage_date,usage_count,error_count\n"
                            "S-1,2024-12-31,1,0\nS-1,not-a-date,1,0\n"},
                           {"support_tickets.csv",
                            "ticket_id,account_id,submitted_at,satisfaction_score,escalation_flag,"
                            "first_response_time_minutes,resolution_time_hours\n"
                            "T-1,A-1,2024-12-20,2,False,30,2\nT-2,A-1,2024-12-21,9,False,30,2\n"
                            "T-3,A-2,2024-12-22,,True,,\n"}});
  for (int threads : {1, 2, 3}) {
    SCOPED_TRACE(threads);
    LoadOptions options;
    options.usage_threads = threads;
    options.max_rejected_rows = 2;
    absl::StatusOr<Dataset> data = Load(dir, options);
    ASSERT_TRUE(data.ok()) << data.status();
    EXPECT_EQ(data->report.of(Table::kFeatureUsage).rejected, 1);
    EXPECT_EQ(data->report.of(Table::kSupportTickets).rejected, 1);
    EXPECT_EQ(data->report.of(Table::kSupportTickets).rows, 2);
    EXPECT_EQ(data->tickets.size(), 2u);
    EXPECT_EQ(FormatDate(*data->latest_ticket_day), "2024-12-22");
    EXPECT_THAT(Joined(data->report.of(Table::kSupportTickets).warnings),
                HasSubstr("support_tickets.csv:3:"));
    // One row of budget: the usage row spends it, the ticket fails the load.
    options.max_rejected_rows = 1;
    absl::Status status = Load(dir, options).status();
    EXPECT_THAT(std::string(status.message()), HasSubstr("support_tickets.csv:3:"));
    // None: the usage row fails it first, though the tickets may have been read already.
    options.max_rejected_rows = 0;
    status = Load(dir, options).status();
    EXPECT_THAT(std::string(status.message()), HasSubstr("feature_usage.csv:3:"));
  }
}

}  // namespace
}  // namespace churn::dataset
