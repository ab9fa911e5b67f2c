// The snapshot store re-reads only the tables that changed: a tickets change parses the tickets
// alone, and the published signals and their assessments equal a full load of the same folder.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "demodata/generator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scoring/rule_set.h"
#include "scoring/engine.h"
#include "signals/signal_builder.h"
#include "snapshots/signals_delta.h"
#include "snapshots/snapshot_store.h"
#include "testing/same_snapshot_parts.h"
#include "testing/scratch_dir.h"

namespace churn::snapshots {
namespace {

using dataset::Table;
using ::testing::HasSubstr;

std::string Generate(const std::string& name) {
  const std::filesystem::path dir = churn::testing::ProgramScratch() / name;
  std::filesystem::remove_all(dir);
  demodata::GeneratorOptions options;
  options.accounts = 120;
  options.seed = 9;
  const absl::Status status = demodata::GenerateDemoData(options, dir.string());
  EXPECT_TRUE(status.ok()) << status;
  return dir.string();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

TablesRead Only(std::initializer_list<Table> tables) {
  TablesRead read{};
  for (Table table : tables) read[static_cast<int>(table)] = true;
  return read;
}

// The snapshot's customers scored with the default rules equal a full load's, one by one.
void ExpectAssessmentsOfAFullLoad(const Snapshot& snapshot, const std::string& dir) {
  absl::StatusOr<SignalSnapshot> full = BuildSignalsFromFolder(dir, {});
  ASSERT_TRUE(full.ok()) << full.status();
  ASSERT_EQ(snapshot.signals.customers.size(), full->customers.size());
  const scoring::RuleSet& rules = scoring::DefaultRuleSet();
  int high = 0;
  for (size_t i = 0; i < full->customers.size(); ++i) {
    const CustomerSignals& a = snapshot.signals.customers[i];
    const CustomerSignals& b = full->customers[i];
    churn::testing::ExpectSameCustomerSignals(a, b);
    const scoring::Assessment x = scoring::ScoreCustomer(rules, a);
    const scoring::Assessment y = scoring::ScoreCustomer(rules, b);
    EXPECT_EQ(x.risk_score, y.risk_score);
    EXPECT_EQ(x.risk_level, y.risk_level);
    EXPECT_EQ(x.top_reasons, y.top_reasons);
    EXPECT_EQ(x.recommended_actions, y.recommended_actions);
    high += y.risk_level == scoring::RiskLevel::kHigh;
  }
  EXPECT_GT(high, 0);  // the comparison covers scored risk, not only quiet customers
  EXPECT_EQ(snapshot.signals.support_window_end, full->support_window_end);
  EXPECT_EQ(snapshot.signals.churn_reason_counts, full->churn_reason_counts);
  for (Table table : dataset::kAllTables) {
    EXPECT_EQ(snapshot.signals.report.of(table).warnings, full->report.of(table).warnings);
    EXPECT_EQ(snapshot.signals.report.of(table).rows, full->report.of(table).rows);
  }
}

TEST(IncrementalLoad, ATicketsChangeParsesOnlyTheTickets) {
  const std::string dir = Generate("tickets");
  SnapshotStore store;
  absl::StatusOr<LoadResult> first = store.LoadFolder(dir, std::nullopt);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->tables_parsed,
            Only({Table::kAccounts, Table::kSubscriptions, Table::kFeatureUsage,
                  Table::kChurnEvents, Table::kSupportTickets}));

  const std::string tickets = (std::filesystem::path(dir) / "support_tickets.csv").string();
  const std::string accounts = ReadFile((std::filesystem::path(dir) / "accounts.csv").string());
  const std::string account = accounts.substr(accounts.find('\n') + 1, 8);  // "A-xxxxxx"
  // Three unhappy, escalated tickets on the last day for one account.
  std::string text = ReadFile(tickets);
  for (int i = 0; i < 3; ++i) {
    absl::StrAppend(&text, "T-x", i, ",", account, ",2024-12-31,,5.0,high,60,1.0,True\n");
  }
  WriteFile(tickets, text);
  absl::StatusOr<LoadResult> second = store.LoadFolder(dir, std::nullopt);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->published);
  EXPECT_EQ(second->snapshot->version, 2);
  EXPECT_EQ(second->tables_parsed, Only({Table::kSupportTickets}));
  ExpectAssessmentsOfAFullLoad(*second->snapshot, dir);
}

TEST(IncrementalLoad, AnAccountsChangeKeepsTheUsageAndEqualsAFullLoad) {
  const std::string dir = Generate("accounts");
  SnapshotStore store;
  ASSERT_TRUE(store.LoadFolder(dir, std::nullopt).ok());
  const std::string path = (std::filesystem::path(dir) / "accounts.csv").string();
  std::string text = ReadFile(path);
  // The first account removed: its subscriptions lose their company, every index moves.
  const size_t first = text.find('\n') + 1;
  text.erase(first, text.find('\n', first) + 1 - first);
  WriteFile(path, text);
  absl::StatusOr<LoadResult> result = store.LoadFolder(dir, std::nullopt);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->tables_parsed, Only({Table::kAccounts, Table::kSubscriptions,
                                         Table::kChurnEvents, Table::kSupportTickets}));
  ExpectAssessmentsOfAFullLoad(*result->snapshot, dir);
}

TEST(IncrementalLoad, BadTicketsNameTheCellAndKeepTheLastGoodSnapshot) {
  const std::string dir = Generate("bad_tickets");
  SnapshotStore store;
  absl::StatusOr<LoadResult> good = store.LoadFolder(dir, std::nullopt);
  ASSERT_TRUE(good.ok());
  const std::string tickets = (std::filesystem::path(dir) / "support_tickets.csv").string();
  const std::string original = ReadFile(tickets);
  WriteFile(tickets, original + "T-bad,A-1,2024-12-31,,5.0,high,60,7,True\n");
  absl::StatusOr<LoadResult> bad = store.LoadFolder(dir, std::nullopt);
  ASSERT_FALSE(bad.ok());
  const int64_t line = std::count(original.begin(), original.end(), '\n') + 1;
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr(absl::StrCat("support_tickets.csv:", line, ":")));
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("satisfaction_score"));
  EXPECT_EQ(store.Current(), good->snapshot);
  ASSERT_TRUE(store.LastFailure().has_value());

  // The original bytes again: nothing to publish, nothing parsed, the failure cleared.
  WriteFile(tickets, original);
  absl::StatusOr<LoadResult> restored = store.LoadFolder(dir, std::nullopt);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_FALSE(restored->published);
  EXPECT_EQ(restored->tables_parsed, Only({}));
  EXPECT_FALSE(store.LastFailure().has_value());
}

// Every field of two snapshots' signals, the load report included.
void ExpectSameSignals(const SignalSnapshot& reloaded, const SignalSnapshot& full) {
  ASSERT_EQ(reloaded.customers.size(), full.customers.size());
  for (size_t i = 0; i < full.customers.size(); ++i) {
    ASSERT_EQ(reloaded.customers[i], full.customers[i]) << full.customers[i].customer_id;
  }
  churn::testing::ExpectSameSnapshotParts(reloaded, full);
}

// Random changes to a tickets file's rows (header first): values edited, tickets added and
// removed, tickets moved to another account, a repeated ticket id now and then.
std::string EditTickets(const std::string& text, const std::vector<std::string>& accounts,
                        std::mt19937& random, int round) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  const std::string header = lines.front();
  lines.erase(lines.begin());
  auto pick = [&random](size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(random);
  };
  auto coin = [&random](double p) { return std::bernoulli_distribution(p)(random); };
  // Columns: ticket_id,account_id,submitted_at,closed_at,resolution_time_hours,priority,
  // first_response_time_minutes,satisfaction_score,escalation_flag
  auto edit = [&](std::vector<std::string>& fields) {
    switch (pick(5)) {
      case 0: fields[7] = coin(0.2) ? "" : absl::StrCat(1 + pick(5), ".0"); break;
      case 1: fields[8] = fields[8] == "True" ? "False" : "True"; break;
      case 2:
        fields[1] = accounts[pick(accounts.size())];  // the ticket moves to another customer
        break;
      case 3:
        fields[6] = coin(0.2) ? "" : absl::StrCat(pick(500));
        fields[4] = coin(0.2) ? "" : absl::StrCat(pick(90), ".5");
        break;
      default:
        fields[2] = std::vector<std::string>(absl::StrSplit(lines[pick(lines.size())], ','))[2];
        break;
    }
  };
  for (int i = 0, edits = 1 + static_cast<int>(pick(20)); i < edits; ++i) {
    std::string& line = lines[pick(lines.size())];
    std::vector<std::string> fields = absl::StrSplit(line, ',');
    edit(fields);
    line = absl::StrJoin(fields, ",");
  }
  for (int i = 0, removed = static_cast<int>(pick(10)); i < removed && lines.size() > 1; ++i) {
    lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(pick(lines.size())));
  }
  for (int i = 0, added = static_cast<int>(pick(10)); i < added; ++i) {
    std::vector<std::string> fields = absl::StrSplit(lines[pick(lines.size())], ',');
    fields[0] = coin(0.1) ? fields[0] : absl::StrCat("T-r", round, "-", i);
    edit(fields);
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(pick(lines.size() + 1)),
                 absl::StrJoin(fields, ","));
  }
  if (coin(0.2)) {  // a ticket after every other: the support window's end moves
    std::vector<std::string> fields = absl::StrSplit(lines[pick(lines.size())], ',');
    fields[0] = absl::StrCat("T-late", round);
    fields[2] = absl::StrCat("2025-01-0", 1 + round % 9);
    lines.push_back(absl::StrJoin(fields, ","));
  }
  return absl::StrCat(header, "\n", absl::StrJoin(lines, "\n"), "\n");
}

// A tickets-only reload publishes exactly what a fresh full load of the same files gives, over
// rounds of random edits, with the tickets read on one thread and in parts; a malformed file in
// between keeps the last good snapshot, and the next good file reloads from it.
TEST(IncrementalLoad, TicketsOnlyReloadsEqualAFreshFullLoadOverRandomEdits) {
  const std::string dir = Generate("random_tickets");
  const std::string tickets = (std::filesystem::path(dir) / "support_tickets.csv").string();
  const std::string accounts_text =
      ReadFile((std::filesystem::path(dir) / "accounts.csv").string());
  std::vector<std::string> accounts;
  for (absl::string_view line : absl::StrSplit(accounts_text, '\n', absl::SkipEmpty())) {
    accounts.emplace_back(line.substr(0, line.find(',')));
  }
  accounts.erase(accounts.begin());  // the header
  accounts.push_back("A-nobody");    // an orphan ticket now and then
  const std::string original = ReadFile(tickets);

  for (const bool in_parts : {false, true}) {
    SCOPED_TRACE(in_parts ? "tickets read in parts" : "tickets read on one thread");
    WriteFile(tickets, original);
    SnapshotStoreOptions options;
    if (in_parts) {
      options.load.usage_threads = 2;
      options.load.min_ticket_part_bytes = 1024;
    }
    SnapshotStore store(options);
    ASSERT_TRUE(store.LoadFolder(dir, std::nullopt).ok());
    std::mt19937 random(in_parts ? 11 : 5);
    std::string text = original;
    int published = 0, customers_changed = 0, read_in_parts = 0;
    for (int round = 0; round < 12; ++round) {
      SCOPED_TRACE(absl::StrCat("round ", round));
      if (round % 4 == 3) {
        // Malformed: a score off the scale, or a quote never closed.
        const std::string bad = round % 8 == 3 ? "T-bad,A-1,2024-12-31,,5.0,high,60,9,True\n"
                                               : "T-bad,\"A-1,2024-12-31,,5.0,high,60,1.0,True\n";
        WriteFile(tickets, text + bad);
        std::shared_ptr<const Snapshot> before = store.Current();
        absl::StatusOr<LoadResult> failed = store.LoadFolder(dir, std::nullopt);
        EXPECT_FALSE(failed.ok());
        EXPECT_EQ(store.Current(), before);
        EXPECT_TRUE(store.LastFailure().has_value());
        continue;
      }
      text = EditTickets(text, accounts, random, round);
      WriteFile(tickets, text);
      absl::StatusOr<LoadResult> reloaded = store.LoadFolder(dir, std::nullopt);
      ASSERT_TRUE(reloaded.ok()) << reloaded.status();
      if (!reloaded->published) continue;  // the edits happened to give the same bytes
      ++published;
      EXPECT_EQ(reloaded->tables_parsed, Only({Table::kSupportTickets}));
      // A repeated ticket id sends the reading back to one thread (the warning names lines).
      read_in_parts += reloaded->snapshot->signals.report.of(Table::kSupportTickets).parts > 1;
      const std::shared_ptr<const Snapshot> previous = store.Find(reloaded->snapshot->version - 1);
      ASSERT_NE(previous, nullptr);
      customers_changed += previous->signals.customers != reloaded->snapshot->signals.customers;
      EXPECT_TRUE(reloaded->snapshot->same_customers_as_previous);
      // The load knew which customers changed: exactly those a comparison of every row finds.
      ASSERT_TRUE(reloaded->snapshot->changed_from_previous.has_value());
      const std::optional<SignalsDelta> delta =
          DiffAlignedSignals(previous->signals.customers, reloaded->snapshot->signals.customers);
      ASSERT_TRUE(delta.has_value());
      EXPECT_EQ(*reloaded->snapshot->changed_from_previous, delta->changed);
      SignalOptions full_options;
      full_options.load = options.load;
      absl::StatusOr<SignalSnapshot> full = BuildSignalsFromFolder(dir, full_options);
      ASSERT_TRUE(full.ok()) << full.status();
      ExpectSameSignals(reloaded->snapshot->signals, *full);
      EXPECT_FALSE(store.LastFailure().has_value());
    }
    EXPECT_GE(published, 8);
    EXPECT_GE(customers_changed, 6);  // the edits reach the signals, not only the bytes
    if (in_parts) {
      EXPECT_GE(read_in_parts, 2);
    } else {
      EXPECT_EQ(read_in_parts, 0);
    }
  }
}

// A churn events change (alone, then with the tickets) re-assembles only the support windows and
// churn labels: the signals equal a full load's, the changed customers are known, and a delta
// over two versions compares only those.
TEST(IncrementalLoad, AChurnEventsChangeKnowsTheChangedCustomers) {
  const std::string dir = Generate("churn_events");
  SnapshotStore store;
  absl::StatusOr<LoadResult> first = store.LoadFolder(dir, std::nullopt);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->snapshot->changed_from_previous.has_value());
  const std::string events_path = (std::filesystem::path(dir) / "churn_events.csv").string();
  std::string events = ReadFile(events_path);
  const size_t row = events.find('\n') + 1;
  events.erase(row, events.find('\n', row) + 1 - row);  // an account no longer churned
  WriteFile(events_path, events);
  absl::StatusOr<LoadResult> second = store.LoadFolder(dir, std::nullopt);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->tables_parsed, Only({Table::kChurnEvents}));
  absl::StatusOr<SignalSnapshot> full = BuildSignalsFromFolder(dir, {});
  ASSERT_TRUE(full.ok()) << full.status();
  ExpectSameSignals(second->snapshot->signals, *full);
  ASSERT_TRUE(second->snapshot->changed_from_previous.has_value());
  EXPECT_FALSE(second->snapshot->changed_from_previous->empty());
  EXPECT_EQ(
      *second->snapshot->changed_from_previous,
      DiffAlignedSignals(first->snapshot->signals.customers, second->snapshot->signals.customers)
          ->changed);

  // The tickets next: a delta from version 1 compares the customers either version changed.
  const std::string tickets = (std::filesystem::path(dir) / "support_tickets.csv").string();
  const std::string accounts = ReadFile((std::filesystem::path(dir) / "accounts.csv").string());
  const std::string account = accounts.substr(accounts.find('\n') + 1, 8);
  WriteFile(tickets, ReadFile(tickets) + "T-z," + account + ",2024-12-31,,5.0,high,60,1.0,True\n");
  absl::StatusOr<LoadResult> third = store.LoadFolder(dir, std::nullopt);
  ASSERT_TRUE(third.ok()) << third.status();
  ASSERT_TRUE(third->snapshot->changed_from_previous.has_value());
  std::vector<uint32_t> either;
  std::set_union(second->snapshot->changed_from_previous->begin(),
                 second->snapshot->changed_from_previous->end(),
                 third->snapshot->changed_from_previous->begin(),
                 third->snapshot->changed_from_previous->end(), std::back_inserter(either));
  const std::vector<CustomerSignals>& base = first->snapshot->signals.customers;
  const std::vector<CustomerSignals>& now = third->snapshot->signals.customers;
  std::optional<SignalsDelta> at = DiffAlignedSignalsAt(base, now, either);
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(at->changed, DiffAlignedSignals(base, now)->changed);
  EXPECT_FALSE(at->changed.empty());

  // Accounts: every customer assembled again, the changed ones not known.
  const std::string accounts_path = (std::filesystem::path(dir) / "accounts.csv").string();
  WriteFile(accounts_path,
            accounts + "A-extra,Extra Co,Retail,US,2024-01-01,event,Basic,3,False,False\n");
  absl::StatusOr<LoadResult> fourth = store.LoadFolder(dir, std::nullopt);
  ASSERT_TRUE(fourth.ok()) << fourth.status();
  EXPECT_TRUE(fourth->published);
  EXPECT_FALSE(fourth->snapshot->changed_from_previous.has_value());
}

// With long views the signals are not a start for the next load: every customer is assembled.
TEST(IncrementalLoad, LongViewsAssembleEveryCustomer) {
  const std::string dir = Generate("long_views");
  SnapshotStoreOptions options;
  options.long_views = true;
  SnapshotStore store(options);
  ASSERT_TRUE(store.LoadFolder(dir, std::nullopt).ok());
  const std::string tickets = (std::filesystem::path(dir) / "support_tickets.csv").string();
  const std::string accounts = ReadFile((std::filesystem::path(dir) / "accounts.csv").string());
  const std::string account = accounts.substr(accounts.find('\n') + 1, 8);
  WriteFile(tickets, ReadFile(tickets) + "T-w," + account + ",2024-12-31,,5.0,high,60,1.0,True\n");
  absl::StatusOr<LoadResult> second = store.LoadFolder(dir, std::nullopt);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->published);
  EXPECT_FALSE(second->snapshot->changed_from_previous.has_value());
}

TEST(IncrementalLoad, TheStoreKnowsWhenTheCustomersLineUpWithThePreviousVersion) {
  const std::string dir = Generate("aligned");
  SnapshotStore store;
  absl::StatusOr<LoadResult> first = store.LoadFolder(dir, std::nullopt);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->snapshot->same_customers_as_previous);
  EXPECT_TRUE(first->snapshot->unique_customer_ids);

  // Tickets: the subscriptions are kept, so are the customers; the row-by-row delta is the
  // delta by id.
  const std::string tickets = (std::filesystem::path(dir) / "support_tickets.csv").string();
  const std::string accounts_path = (std::filesystem::path(dir) / "accounts.csv").string();
  const std::string accounts = ReadFile(accounts_path);
  const std::string account = accounts.substr(accounts.find('\n') + 1, 8);  // "A-xxxxxx"
  WriteFile(tickets, ReadFile(tickets) + "T-y," + account + ",2024-12-31,,5.0,high,60,1.0,True\n");
  absl::StatusOr<LoadResult> second = store.LoadFolder(dir, std::nullopt);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->snapshot->same_customers_as_previous);
  EXPECT_TRUE(second->snapshot->unique_customer_ids);
  std::optional<SignalsDelta> aligned =
      DiffAlignedSignals(first->snapshot->signals.customers, second->snapshot->signals.customers);
  std::optional<SignalsDelta> by_id =
      DiffSignals(first->snapshot->signals.customers, second->snapshot->signals.customers);
  ASSERT_TRUE(aligned.has_value());
  ASSERT_TRUE(by_id.has_value());
  EXPECT_FALSE(aligned->changed.empty());
  EXPECT_EQ(aligned->changed, by_id->changed);

  // Accounts: the subscriptions are read again, and compared: the same ids.
  const size_t name_start = accounts.find(',', accounts.find('\n')) + 1;
  std::string renamed = accounts;
  renamed.insert(name_start, "Renamed ");
  WriteFile(accounts_path, renamed);
  absl::StatusOr<LoadResult> third = store.LoadFolder(dir, std::nullopt);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_TRUE(third->tables_parsed[static_cast<int>(Table::kSubscriptions)]);
  EXPECT_TRUE(third->snapshot->same_customers_as_previous);

  // A subscription removed: the customers no longer line up.
  const std::string subscriptions_path =
      (std::filesystem::path(dir) / "subscriptions.csv").string();
  std::string subscriptions = ReadFile(subscriptions_path);
  const size_t row = subscriptions.find('\n') + 1;
  subscriptions.erase(row, subscriptions.find('\n', row) + 1 - row);
  WriteFile(subscriptions_path, subscriptions);
  absl::StatusOr<LoadResult> fourth = store.LoadFolder(dir, std::nullopt);
  ASSERT_TRUE(fourth.ok()) << fourth.status();
  EXPECT_FALSE(fourth->snapshot->same_customers_as_previous);
  EXPECT_TRUE(fourth->snapshot->unique_customer_ids);
}

}  // namespace
}  // namespace churn::snapshots
