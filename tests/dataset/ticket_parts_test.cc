// The tickets table read by several threads gives what one thread gives: rows in file order,
// latest day, warnings and errors with the file's lines. A split guessed inside a quoted field
// is read again from the last part that starts where a record starts; a bad row or a repeated
// ticket_id sends the table to one thread.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dataset/loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/data_folder.h"

namespace churn::dataset {
namespace {

struct Loaded {
  absl::Status status;
  TableStats stats;
  std::vector<SupportTicket> tickets;
  std::optional<Day> latest_ticket_day;
};

Loaded Load(const std::string& dir, int threads, int64_t max_rejected_rows = 0) {
  LoadOptions options;
  options.usage_threads = threads;
  options.min_ticket_part_bytes = 64;  // split even these small files
  options.max_rejected_rows = max_rejected_rows;
  absl::StatusOr<DataFiles> files = FindDataFiles(dir);
  if (!files.ok()) return {files.status(), {}, {}, {}};
  absl::StatusOr<Dataset> data = LoadDataset(*files, options, nullptr);
  if (!data.ok()) return {data.status(), {}, {}, {}};
  return {absl::OkStatus(), data->report.of(Table::kSupportTickets), data->tickets,
          data->latest_ticket_day};
}

bool SameTicket(const SupportTicket& a, const SupportTicket& b) {
  return a.account_index == b.account_index && a.submitted == b.submitted &&
         a.satisfaction_score == b.satisfaction_score &&
         a.first_response_minutes == b.first_response_minutes &&
         a.resolution_hours == b.resolution_hours && a.escalated == b.escalated;
}

// Loads with one thread and with `threads`; both must agree. Returns how many parts the
// threaded load read (1: it went back to one thread).
int ExpectSameAsOneThread(const std::string& tickets_csv, int threads = 3,
                          int64_t max_rejected_rows = 0) {
  const std::string dir =
      churn::testing::WriteDataFolder("ticket_parts", {{"support_tickets.csv", tickets_csv}});
  const Loaded one = Load(dir, 1, max_rejected_rows);
  const Loaded many = Load(dir, threads, max_rejected_rows);
  EXPECT_EQ(one.status, many.status);
  EXPECT_EQ(one.stats.rows, many.stats.rows);
  EXPECT_EQ(one.stats.rejected, many.stats.rejected);
  EXPECT_EQ(one.stats.bytes, many.stats.bytes);
  EXPECT_EQ(one.stats.warnings, many.stats.warnings);
  EXPECT_EQ(one.latest_ticket_day, many.latest_ticket_day);
  EXPECT_EQ(one.tickets.size(), many.tickets.size());
  for (size_t i = 0; i < std::min(one.tickets.size(), many.tickets.size()); ++i) {
    EXPECT_TRUE(SameTicket(one.tickets[i], many.tickets[i])) << "ticket " << i;
  }
  EXPECT_EQ(one.stats.parts, 1);
  return many.stats.parts;
}

constexpr char kHeader[] =
    "ticket_id,account_id,submitted_at,closed_at,resolution_time_hours,priority,"
    "first_response_time_minutes,satisfaction_score,escalation_flag\n";

std::string Row(int i, const std::string& account, const std::string& priority = "low",
                const std::string& end = "\n") {
  return absl::StrCat("T-", i, ",", account, ",2024-12-", 10 + i % 19, ",,", i % 40, ".5,",
                      priority, ",", i % 90, ",", i % 7 == 0 ? "" : absl::StrCat(1 + i % 5), ",",
                      i % 11 == 0 ? "True" : "False", end);
}

TEST(TicketParts, CleanTableIsSplitAndAgrees) {
  std::string csv = kHeader;
  for (int i = 0; i < 600; ++i) csv += Row(i, i % 3 == 0 ? "A-1" : "A-2");
  EXPECT_EQ(ExpectSameAsOneThread(csv), 3);
}

TEST(TicketParts, OrphanWarningsKeepFileOrderAcrossParts) {
  std::string csv = kHeader;
  for (int i = 0; i < 600; ++i) {
    csv += Row(i, i % 97 == 5 ? absl::StrCat("A-404-", i) : (i % 2 == 0 ? "A-1" : "A-2"));
  }
  EXPECT_EQ(ExpectSameAsOneThread(csv), 3);
}

TEST(TicketParts, CrlfRecordEndsAgree) {
  std::string csv = kHeader;
  for (int i = 0; i < 600; ++i) csv += Row(i, i % 2 == 0 ? "A-1" : "A-2", "low", "\r\n");
  EXPECT_EQ(ExpectSameAsOneThread(csv), 3);
}

// Quoted fields with newlines, commas and doubled quotes all through the file, so that the
// split points fall inside some of them: every field is one line in three.
TEST(TicketParts, QuotedNewlinesAcrossPartBoundariesAgree) {
  std::string csv = kHeader;
  for (int i = 0; i < 600; ++i) {
    csv += Row(i, i % 2 == 0 ? "A-1" : "A-2", "\"very\nhigh, \"\"really\"\"\nurgent\"", "\r\n");
  }
  // However many parts stand (a split guessed inside a field is read on from its part), the
  // tables agree.
  ExpectSameAsOneThread(csv, 2);
  ExpectSameAsOneThread(csv, 4);
}

TEST(TicketParts, SplitGuessedInsideAQuotedFieldReadsOnFromTheLastGoodPart) {
  // One field of many short quoted lines fills the middle of the file, where the split of two
  // parts is guessed: the first part then ends inside it and is read on to the end.
  std::string long_field = "\"";
  for (int i = 0; i < 400; ++i) long_field += "x\n";
  long_field += "\"";
  std::string csv = kHeader;
  for (int i = 0; i < 20; ++i) csv += Row(i, "A-1");
  csv += Row(20, "A-2", long_field);
  for (int i = 21; i < 40; ++i) csv += Row(i, "A-404");
  EXPECT_EQ(ExpectSameAsOneThread(csv, 2), 1);
  // With a clean first part the second (which ends where the guess went wrong) reads on.
  long_field = "\"";
  for (int i = 0; i < 20000; ++i) long_field += "x\n";
  long_field += "\"";
  csv = kHeader;
  for (int i = 0; i < 600; ++i) csv += Row(i, "A-1");
  csv += Row(600, "A-2", long_field);
  EXPECT_EQ(ExpectSameAsOneThread(csv, 3), 2);
}

TEST(TicketParts, RepeatedTicketIdInAnotherPartGoesToOneThread) {
  std::string csv = kHeader;
  for (int i = 0; i < 600; ++i) csv += Row(i, "A-1");
  csv += Row(3, "A-2");  // T-3 again, in the last part
  EXPECT_EQ(ExpectSameAsOneThread(csv), 1);
  const Loaded loaded = Load(
      churn::testing::WriteDataFolder("ticket_parts_repeat", {{"support_tickets.csv", csv}}), 3);
  EXPECT_THAT(loaded.stats.warnings,
              ::testing::Contains(::testing::HasSubstr("duplicate ticket_id values")));
}

TEST(TicketParts, BadValueInALaterPartNamesItsLineAndColumn) {
  std::string csv = kHeader;
  // Quoted newlines before the bad row shift its line against its record count.
  for (int i = 0; i < 600; ++i) csv += Row(i, "A-1", i % 100 == 3 ? "\"two\nlines\"" : "low");
  csv += "T-x,A-1,2024-12-01,,1.0,low,5,9,False\n";  // satisfaction 9: not on the 1-5 scale
  for (int i = 0; i < 100; ++i) csv += Row(1000 + i, "A-2");
  EXPECT_EQ(ExpectSameAsOneThread(csv), 1);
  const Loaded loaded =
      Load(churn::testing::WriteDataFolder("ticket_parts_bad", {{"support_tickets.csv", csv}}), 3);
  // Header line 1, 600 rows of which 6 take two lines: the bad row is on line 608, its eighth
  // field at column 31.
  EXPECT_THAT(std::string(loaded.status.message()),
              ::testing::HasSubstr("support_tickets.csv:608:31:"));
}

TEST(TicketParts, RejectedRowsCountAsOnOneThread) {
  std::string csv = kHeader;
  for (int i = 0; i < 600; ++i) csv += Row(i, "A-1");
  csv += "T-x,A-1,not-a-date,,1.0,low,5,3,False\n";
  for (int i = 0; i < 100; ++i) csv += Row(1000 + i, "A-2");
  EXPECT_EQ(ExpectSameAsOneThread(csv, 3, /*max_rejected_rows=*/5), 1);
}

// Tickets in the accounts' order, with gaps of several accounts and orphans between them: the
// parts look at the next accounts' rows before the id index, and resolve every ticket to the
// account the index gives, also when an account id repeats in the accounts table.
TEST(TicketParts, TicketsInTheAccountsOrderResolveAsTheIndexDoes) {
  const std::string accounts_header =
      "account_id,account_name,industry,country,signup_date,referral_source,plan_tier,seats,"
      "is_trial,churn_flag\n";
  auto account_row = [](int i) {
    return absl::StrCat("A-", i, ",Co ", i, ",FinTech,US,2024-01-01,partner,Pro,10,False,False\n");
  };
  std::string csv = absl::StrCat(kHeader, Row(1000, "A-5"), Row(1001, "A-3"));
  for (int i = 0, account = 1; i < 600; ++i) {
    if (i % 3 == 0) account += 1 + i % 7;  // 1 to 7 accounts ahead
    csv += Row(i, i % 50 == 7 ? "A-nobody" : absl::StrCat("A-", account % 200));
  }
  for (const bool repeated : {false, true}) {
    SCOPED_TRACE(repeated ? "an account id repeats" : "unique account ids");
    std::string accounts = accounts_header;
    for (int i = 0; i < 200; ++i) {
      // A-3 again in place of A-6: the index keeps the first A-3, so a ticket of A-3 after one
      // of A-5 is not the account on the next row.
      accounts += account_row(repeated && i == 6 ? 3 : i);
    }
    const std::string dir = churn::testing::WriteDataFolder(
        "ticket_parts_order", {{"support_tickets.csv", csv}, {"accounts.csv", accounts}});
    const Loaded one = Load(dir, 1);
    const Loaded many = Load(dir, 3);
    ASSERT_TRUE(many.status.ok()) << many.status;
    EXPECT_EQ(many.stats.parts, 3);
    ASSERT_EQ(one.tickets.size(), many.tickets.size());
    for (size_t i = 0; i < one.tickets.size(); ++i) {
      EXPECT_EQ(one.tickets[i].account_index, many.tickets[i].account_index) << "ticket " << i;
    }
    EXPECT_EQ(one.stats.warnings, many.stats.warnings);
  }
}

// The parts read the cells straight from the row: every spelling the one-thread reader takes
// (blanks around values, other boolean words, exponents, signs, long numbers) gives the same
// tickets, and a blank where a value is required, a bad word or a score off the scale sends the
// table to one thread with the same error.
TEST(TicketParts, EverySpellingOfAValueAgrees) {
  const std::vector<std::string> numbers = {
      "4", " 3.5 ", "2e0", "+1", "1.", ".5e1", "12345678901234567", "0.000000000000001",
      "",  "4.25"};
  const std::vector<std::string> flags = {"True", "false", " yes", "N", "0", "1 ", "ON", "t"};
  std::string csv = kHeader;
  for (int i = 0; i < 600; ++i) {
    const std::string score = i % 4 == 0 ? "" : absl::StrCat(1 + i % 5, i % 3 == 0 ? ".0" : "");
    absl::StrAppend(&csv, "T-", i, ", A-", i % 3, " , 2024-12-", 10 + i % 19,
                    i % 5 == 0 ? " 08:30" : "", ",,", numbers[i % numbers.size()], ",low,",
                    numbers[(i + 3) % numbers.size()], ",", score, ",", flags[i % flags.size()],
                    "\n");
  }
  EXPECT_EQ(ExpectSameAsOneThread(csv), 3);
  // Without the optional columns.
  std::string narrow = "ticket_id,account_id,submitted_at,satisfaction_score,escalation_flag\n";
  for (int i = 0; i < 600; ++i) {
    absl::StrAppend(&narrow, "T-", i, ",A-", i % 2, ",2024-11-0", 1 + i % 9, ",",
                    i % 6 == 0 ? "" : "5", ",", flags[i % flags.size()], "\n");
  }
  EXPECT_EQ(ExpectSameAsOneThread(narrow), 3);
  for (const char* bad : {"T-x,A-1,2024-12-01,,1.0,low,5,3,\n",        // blank flag
                          "T-x,A-1,2024-12-01,,1.0,low,5,3,maybe\n",   // not a flag
                          "T-x,,2024-12-01,,1.0,low,5,3,True\n",       // no account
                          "T-x,A-1,,,1.0,low,5,3,True\n",              // no date
                          "T-x,A-1,2024-12-01,,1.0,low,5,0.5,True\n",  // off the scale
                          "T-x,A-1,2024-12-01,,1.0,low,5x,3,True\n"}) {
    SCOPED_TRACE(bad);
    std::string with_bad = kHeader;
    for (int i = 0; i < 600; ++i) with_bad += Row(i, "A-1");
    with_bad += bad;
    for (int i = 0; i < 100; ++i) with_bad += Row(1000 + i, "A-2");
    EXPECT_EQ(ExpectSameAsOneThread(with_bad), 1);
    const Loaded loaded = Load(churn::testing::WriteDataFolder("ticket_parts_spelling",
                                                               {{"support_tickets.csv", with_bad}}),
                               3);
    EXPECT_THAT(std::string(loaded.status.message()),
                ::testing::HasSubstr("support_tickets.csv:602:"));
  }
}

}  // namespace
}  // namespace churn::dataset
