// ParsedTables: a refresh re-reads only the changed tables (and those resolving keys against
// them), and its signals equal a full load of the same files, for every kind of one-table change.

#include "signals/parsed_tables.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "demodata/generator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/same_snapshot_parts.h"
#include "testing/scratch_dir.h"

namespace churn {
namespace {

using dataset::Table;
using ::testing::HasSubstr;

using Tables = std::map<std::string, std::string>;  // file name -> text

constexpr char kAccounts[] = "accounts.csv";
constexpr char kSubscriptions[] = "subscriptions.csv";
constexpr char kUsage[] = "feature_usage.csv";
constexpr char kChurnEvents[] = "churn_events.csv";
constexpr char kTickets[] = "support_tickets.csv";

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A generated data set (a few hundred customers) read into memory once.
const Tables& Generated() {
  static const Tables* tables = [] {
    const std::filesystem::path dir = churn::testing::ProgramScratch() / "generated";
    demodata::GeneratorOptions options;
    options.accounts = 150;
    options.seed = 5;
    absl::Status status = demodata::GenerateDemoData(options, dir.string());
    EXPECT_TRUE(status.ok()) << status;
    auto* read = new Tables;
    for (const char* name : {kAccounts, kSubscriptions, kUsage, kChurnEvents, kTickets}) {
      (*read)[name] = ReadFile(dir / name);
    }
    return read;
  }();
  return *tables;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

std::string Join(const std::vector<std::string>& lines) {
  return absl::StrCat(absl::StrJoin(lines, "\n"), "\n");
}

// The data line `n` (1 = the first after the header), its fields split at commas (the generated
// lines changed here have no quoted fields).
std::vector<std::string> Fields(const std::string& text, size_t n) {
  return absl::StrSplit(Lines(text).at(n), ',');
}

std::string ReplaceLine(const std::string& text, size_t n, const std::string& line) {
  std::vector<std::string> lines = Lines(text);
  lines.at(n) = line;
  return Join(lines);
}

std::string RemoveLine(const std::string& text, size_t n) {
  std::vector<std::string> lines = Lines(text);
  lines.erase(lines.begin() + static_cast<ptrdiff_t>(n));
  return Join(lines);
}

std::string Append(const std::string& text, const std::string& line) {
  return absl::StrCat(text, line, "\n");
}

// A folder whose files are rewritten in place between refreshes (the same paths).
class Folder {
 public:
  explicit Folder(const std::string& name) : dir_(churn::testing::ProgramScratch() / name) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void Write(const Tables& tables) {
    for (const auto& [name, text] : tables) {
      std::ofstream(dir_ / name, std::ios::binary | std::ios::trunc) << text;
    }
  }
  dataset::DataFiles Files() const { return *dataset::FindDataFiles(dir_.string()); }
  // The content itself serves as the hash: equal text, equal hash.
  std::array<std::string, 5> Hashes() const {
    std::array<std::string, 5> hashes;
    const dataset::DataFiles files = Files();
    for (size_t i = 0; i < hashes.size(); ++i) hashes[i] = ReadFile(files.paths[i]);
    return hashes;
  }

 private:
  std::filesystem::path dir_;
};

// Everything a snapshot holds of the signals, field by field.
void ExpectSameSnapshot(const SignalSnapshot& incremental, const SignalSnapshot& full) {
  ASSERT_EQ(incremental.customers.size(), full.customers.size());
  for (size_t i = 0; i < full.customers.size(); ++i) {
    churn::testing::ExpectSameCustomerSignals(incremental.customers[i], full.customers[i]);
  }
  churn::testing::ExpectSameSnapshotParts(incremental, full);
}

TablesRead Only(std::initializer_list<Table> tables) {
  TablesRead read{};
  for (Table table : tables) read[static_cast<int>(table)] = true;
  return read;
}
const TablesRead kAll = Only({Table::kAccounts, Table::kSubscriptions, Table::kFeatureUsage,
                              Table::kChurnEvents, Table::kSupportTickets});

struct Refreshed {
  TablesRead read{};
  SignalSnapshot incremental;
  SignalSnapshot full;
};

// Refreshes `tables` to what `folder` holds now, and builds the same files from scratch.
Refreshed RefreshAndRebuild(ParsedTables& tables, const Folder& folder,
                            std::optional<dataset::Day> as_of = std::nullopt,
                            const dataset::LoadOptions& load = {}) {
  Refreshed result;
  absl::StatusOr<TablesRead> read = tables.Refresh(folder.Files(), folder.Hashes(), as_of, load);
  EXPECT_TRUE(read.ok()) << read.status();
  if (read.ok()) result.read = *read;
  result.incremental = tables.Signals();
  SignalOptions options;
  options.as_of = as_of;
  options.load = load;
  absl::StatusOr<SignalSnapshot> full = BuildSignals(folder.Files(), options);
  EXPECT_TRUE(full.ok()) << full.status();
  if (full.ok()) result.full = *std::move(full);
  return result;
}

// Loads the generated tables, applies `change` to them and refreshes.
Refreshed AfterChange(const std::string& name, const std::function<void(Tables&)>& change,
                      const dataset::LoadOptions& load = {}) {
  Folder folder(name);
  Tables tables = Generated();
  folder.Write(tables);
  ParsedTables parsed;
  Refreshed first = RefreshAndRebuild(parsed, folder, std::nullopt, load);
  EXPECT_EQ(first.read, kAll);
  change(tables);
  folder.Write(tables);
  return RefreshAndRebuild(parsed, folder, std::nullopt, load);
}

TEST(ParsedTables, TheFirstRefreshReadsEveryTableAndEqualsAFullLoad) {
  Folder folder("first");
  folder.Write(Generated());
  ParsedTables tables;
  Refreshed first = RefreshAndRebuild(tables, folder);
  EXPECT_EQ(first.read, kAll);
  EXPECT_GT(first.full.customers.size(), 200u);
  ExpectSameSnapshot(first.incremental, first.full);
}

TEST(ParsedTables, UnchangedFilesReadNothing) {
  Folder folder("unchanged");
  folder.Write(Generated());
  ParsedTables tables;
  RefreshAndRebuild(tables, folder);
  Refreshed again = RefreshAndRebuild(tables, folder);
  EXPECT_EQ(again.read, Only({}));
  ExpectSameSnapshot(again.incremental, again.full);
}

TEST(ParsedTables, ChangedTicketsReadOnlyTickets) {
  Refreshed after = AfterChange("tickets", [](Tables& tables) {
    std::string& tickets = tables[kTickets];
    const std::vector<std::string> first = Fields(tickets, 1);
    // Fewer tickets, and a new latest day: the support window T moves.
    tickets = RemoveLine(RemoveLine(tickets, 5), 2);
    tickets =
        Append(tickets, absl::StrCat("T-new1,", first[1], ",2025-01-20,,3.0,high,12,1.0,True"));
    tickets = Append(tickets, "T-new2,A-nobody,2025-01-21,,,low,,,False");  // an orphan
  });
  EXPECT_EQ(after.read, Only({Table::kSupportTickets}));
  EXPECT_EQ(dataset::FormatDate(*after.full.support_window_end), "2025-01-21");
  ExpectSameSnapshot(after.incremental, after.full);
}

// The tickets read by several threads (a refresh after a tickets change reads them in parts).
TEST(ParsedTables, ChangedTicketsReadInPartsEqualAFullLoad) {
  dataset::LoadOptions load;
  load.usage_threads = 3;
  load.min_ticket_part_bytes = 64;
  Refreshed after = AfterChange(
      "tickets_parts",
      [](Tables& tables) {
        std::string& tickets = tables[kTickets];
        tickets = RemoveLine(tickets, 4);
        tickets = Append(tickets, "T-new3,A-nobody,2025-01-22,,,low,,,False");  // an orphan
      },
      load);
  EXPECT_EQ(after.read, Only({Table::kSupportTickets}));
  EXPECT_EQ(after.full.report.of(Table::kSupportTickets).parts, 3);
  ExpectSameSnapshot(after.incremental, after.full);
}

TEST(ParsedTables, ChangedChurnEventsReadOnlyChurnEvents) {
  Refreshed after = AfterChange("churn_events", [](Tables& tables) {
    std::string& events = tables[kChurnEvents];
    const std::string account = Fields(tables[kAccounts], 3)[0];
    events = RemoveLine(events, 1);
    events = Append(events, absl::StrCat("C-new,", account,
                                         ",2024-12-30,budget,0,False,False,"
                                         "False,too costly"));
  });
  EXPECT_EQ(after.read, Only({Table::kChurnEvents}));
  ExpectSameSnapshot(after.incremental, after.full);
}

TEST(ParsedTables, ChangedAccountsReadWhatResolvesAgainstThemButNotUsage) {
  Refreshed after = AfterChange("accounts", [](Tables& tables) {
    std::string& accounts = tables[kAccounts];
    std::vector<std::string> renamed = Fields(accounts, 2);
    renamed[1] = "Renamed Ltd";
    renamed[3] = "FR";
    accounts = ReplaceLine(accounts, 2, absl::StrJoin(renamed, ","));
    // A removed account orphans its subscriptions, tickets and churn events; a new one comes
    // first, so every account index moves.
    accounts = RemoveLine(accounts, 4);
    std::vector<std::string> lines = Lines(accounts);
    lines.insert(lines.begin() + 1, "A-new,New Co,Retail,NZ,2024-01-01,ads,Basic,3,False,False");
    accounts = Join(lines);
  });
  EXPECT_EQ(after.read, Only({Table::kAccounts, Table::kSubscriptions, Table::kChurnEvents,
                              Table::kSupportTickets}));
  ExpectSameSnapshot(after.incremental, after.full);
}

TEST(ParsedTables, ChangedSubscriptionAttributesKeepTheUsage) {
  Refreshed after = AfterChange("subscription_attributes", [](Tables& tables) {
    std::string& subscriptions = tables[kSubscriptions];
    std::vector<std::string> changed = Fields(subscriptions, 3);
    changed[4] = "Enterprise";  // plan_tier
    changed[7] = "99999";       // arr_amount
    changed[10] = "True";       // downgrade_flag
    subscriptions = ReplaceLine(subscriptions, 3, absl::StrJoin(changed, ","));
  });
  EXPECT_EQ(after.read, Only({Table::kSubscriptions}));
  ExpectSameSnapshot(after.incremental, after.full);
}

TEST(ParsedTables, AddedOrRemovedSubscriptionsReadTheUsageAgain) {
  // Removed: its usage rows become orphans and every later subscription index moves.
  Refreshed removed = AfterChange("subscription_removed", [](Tables& tables) {
    tables[kSubscriptions] = RemoveLine(tables[kSubscriptions], 2);
  });
  EXPECT_EQ(removed.read, Only({Table::kSubscriptions, Table::kFeatureUsage}));
  ExpectSameSnapshot(removed.incremental, removed.full);

  // Added: a subscription whose usage rows were orphans until now.
  Folder folder("subscription_added");
  Tables tables = Generated();
  const std::string full_subscriptions = tables[kSubscriptions];
  tables[kSubscriptions] = RemoveLine(full_subscriptions, 1);
  folder.Write(tables);
  ParsedTables parsed;
  RefreshAndRebuild(parsed, folder);
  tables[kSubscriptions] = full_subscriptions;
  folder.Write(tables);
  Refreshed added = RefreshAndRebuild(parsed, folder);
  EXPECT_EQ(added.read, Only({Table::kSubscriptions, Table::kFeatureUsage}));
  ExpectSameSnapshot(added.incremental, added.full);
}

TEST(ParsedTables, ChangedUsageReadsOnlyUsage) {
  Refreshed after = AfterChange("usage", [](Tables& tables) {
    std::string& usage = tables[kUsage];
    const std::string subscription = Fields(tables[kSubscriptions], 1)[0];
    usage = RemoveLine(usage, 10);
    usage = Append(usage, absl::StrCat("U-new,", subscription, ",2025-01-05,f,40,9,7,False"));
  });
  EXPECT_EQ(after.read, Only({Table::kFeatureUsage}));
  EXPECT_EQ(dataset::FormatDate(*after.full.usage_window_end), "2025-01-05");
  ExpectSameSnapshot(after.incremental, after.full);
}

TEST(ParsedTables, ASequenceOfChangesStaysEqualToFullLoads) {
  Folder folder("sequence");
  Tables tables = Generated();
  folder.Write(tables);
  ParsedTables parsed;
  RefreshAndRebuild(parsed, folder);
  const std::vector<std::function<void()>> changes = {
      [&] { tables[kTickets] = RemoveLine(tables[kTickets], 3); },
      [&] { tables[kAccounts] = RemoveLine(tables[kAccounts], 1); },
      [&] { tables[kTickets] = RemoveLine(tables[kTickets], 1); },
      [&] { tables[kSubscriptions] = RemoveLine(tables[kSubscriptions], 7); },
      [&] { tables[kChurnEvents] = RemoveLine(tables[kChurnEvents], 2); },
      [&] { tables[kAccounts] = Generated().at(kAccounts); },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    SCOPED_TRACE(i);
    changes[i]();
    folder.Write(tables);
    Refreshed after = RefreshAndRebuild(parsed, folder);
    ExpectSameSnapshot(after.incremental, after.full);
  }
}

TEST(ParsedTables, ANewAsOfDateReadsEverything) {
  Folder folder("as_of");
  folder.Write(Generated());
  ParsedTables parsed;
  RefreshAndRebuild(parsed, folder);
  Refreshed as_of = RefreshAndRebuild(parsed, folder, dataset::ParseDate("2024-11-30"));
  EXPECT_EQ(as_of.read, kAll);
  ExpectSameSnapshot(as_of.incremental, as_of.full);
}

TEST(ParsedTables, ABadChangedTableNamesTheCellAndChangesNothing) {
  Folder folder("bad_tickets");
  Tables tables = Generated();
  folder.Write(tables);
  ParsedTables parsed;
  const Refreshed good = RefreshAndRebuild(parsed, folder);

  Tables bad = tables;
  std::vector<std::string> ticket = Fields(bad[kTickets], 4);
  ticket[2] = "not-a-date";
  bad[kTickets] = ReplaceLine(bad[kTickets], 4, absl::StrJoin(ticket, ","));
  folder.Write(bad);
  absl::StatusOr<TablesRead> failed =
      parsed.Refresh(folder.Files(), folder.Hashes(), std::nullopt, {});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(failed.status().message()),
              HasSubstr("support_tickets.csv:5:"));  // header + 4
  EXPECT_THAT(std::string(failed.status().message()), HasSubstr("submitted_at"));
  ExpectSameSnapshot(parsed.Signals(), good.full);

  // Fixed by dropping the row: only the tickets are read.
  Tables fixed_tables = tables;
  fixed_tables[kTickets] = RemoveLine(fixed_tables[kTickets], 4);
  folder.Write(fixed_tables);
  Refreshed fixed = RefreshAndRebuild(parsed, folder);
  EXPECT_EQ(fixed.read, Only({Table::kSupportTickets}));
  ExpectSameSnapshot(fixed.incremental, fixed.full);
}

TEST(ParsedTables, AFailureAfterSeveralTablesWereReadPutsThemAllBack) {
  Folder folder("roll_back");
  Tables tables = Generated();
  folder.Write(tables);
  ParsedTables parsed;
  const Refreshed good = RefreshAndRebuild(parsed, folder);

  // Accounts change (subscriptions, churn events and tickets follow), then tickets fail.
  Tables bad = tables;
  bad[kAccounts] = RemoveLine(bad[kAccounts], 1);
  std::vector<std::string> ticket = Fields(bad[kTickets], 2);
  ticket[7] = "9";  // satisfaction_score outside 1-5
  bad[kTickets] = ReplaceLine(bad[kTickets], 2, absl::StrJoin(ticket, ","));
  folder.Write(bad);
  absl::StatusOr<TablesRead> failed =
      parsed.Refresh(folder.Files(), folder.Hashes(), std::nullopt, {});
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(std::string(failed.status().message()), HasSubstr("support_tickets.csv:3:"));
  ExpectSameSnapshot(parsed.Signals(), good.full);

  // The files as they were: every table read before the failure was put back.
  folder.Write(tables);
  Refreshed restored = RefreshAndRebuild(parsed, folder);
  EXPECT_EQ(restored.read, Only({}));
  ExpectSameSnapshot(restored.incremental, good.full);
}

TEST(ParsedTables, AKeptTableOverTheRejectionBudgetFailsAsAFullLoadWould) {
  dataset::LoadOptions load;
  load.max_rejected_rows = 1;
  Folder folder("budget");
  Tables tables = Generated();
  // One bad usage row, within the budget.
  tables[kUsage] = Append(tables[kUsage], "U-bad,S-x,someday,f,1,1,0,False");
  folder.Write(tables);
  ParsedTables parsed;
  Refreshed first = RefreshAndRebuild(parsed, folder, std::nullopt, load);
  EXPECT_EQ(first.full.report.of(Table::kFeatureUsage).rejected, 1);
  ExpectSameSnapshot(first.incremental, first.full);

  // Now the accounts spend the budget first: a full load stops at the usage row.
  std::vector<std::string> account = Fields(tables[kAccounts], 1);
  account[0] = "";  // account_id is required
  tables[kAccounts] = ReplaceLine(tables[kAccounts], 1, absl::StrJoin(account, ","));
  folder.Write(tables);
  SignalOptions options;
  options.load = load;
  absl::StatusOr<SignalSnapshot> full = BuildSignals(folder.Files(), options);
  ASSERT_FALSE(full.ok());
  absl::StatusOr<TablesRead> incremental =
      parsed.Refresh(folder.Files(), folder.Hashes(), std::nullopt, load);
  ASSERT_FALSE(incremental.ok());
  EXPECT_EQ(incremental.status(), full.status());
  EXPECT_THAT(std::string(full.status().message()), HasSubstr("feature_usage.csv"));
}

}  // namespace
}  // namespace churn
