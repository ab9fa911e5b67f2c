#include "dataset/loader.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "csv/line_split.h"
#include "dataset/duplicate_id_finder.h"
#include "dataset/id_fingerprints.h"
#include "dataset/seen_ids.h"
#include "dataset/table_reader.h"
#include "dataset/value_range.h"
#include "status/status_macros.h"

namespace churn::dataset {
namespace {

namespace fs = std::filesystem;
using Column = TableReader::Column;

// Counts occurrences of a warning kind and keeps the first few examples for the report.
class WarningTally {
 public:
  explicit WarningTally(std::string what) : what_(std::move(what)) {}
  void Add(std::string example) {
    if (++count_ <= kExamples) examples_.push_back(std::move(example));
  }
  // Occurrences past the examples (their text is not needed).
  void AddUnshown(int64_t count) { count_ += count; }
  // Appends what a tally of a later part of the same table counted, as if counted here.
  void Merge(const WarningTally& later) {
    for (const std::string& example : later.examples_) Add(example);
    AddUnshown(later.count_ - static_cast<int64_t>(later.examples_.size()));
  }
  static constexpr int64_t kExamples = 3;
  void AppendTo(std::vector<std::string>* warnings) const {
    if (count_ == 0) return;
    std::string line = absl::StrCat(count_, " ", what_, " (rows kept)");
    for (size_t i = 0; i < examples_.size(); ++i) {
      absl::StrAppend(&line, i == 0 ? ": " : ", ", examples_[i]);
    }
    if (count_ > kExamples) absl::StrAppend(&line, ", ...");
    warnings->push_back(std::move(line));
  }

 private:
  std::string what_;
  int64_t count_ = 0;
  std::vector<std::string> examples_;
};

// Runs `handle_row` over every data row of a table. A bad value rejects the row while the
// rejection budget lasts, then fails the load; malformed CSV always fails.
template <typename RowHandler>
absl::Status ForEachRow(Table table, const std::string& path, const LoadOptions& options,
                        int64_t* rejected_so_far, TableStats* stats, RowHandler&& handle_row) {
  stats->table = table;
  stats->file = path;
  CHURN_ASSIGN_OR_RETURN(std::unique_ptr<TableReader> opened, TableReader::Open(table, path));
  TableReader& reader = *opened;
  handle_row.Bind(reader);
  while (true) {
    // A broken CSV structure ends the table; value-level problems may be skipped.
    CHURN_ASSIGN_OR_RETURN(bool more, reader.Next());
    if (!more) break;
    absl::Status row_status = reader.CheckRowShape();
    if (row_status.ok()) row_status = handle_row(reader);
    if (row_status.ok()) {
      ++stats->rows;
      continue;
    }
    if (*rejected_so_far >= options.max_rejected_rows) return row_status;
    ++*rejected_so_far;
    ++stats->rejected;
    stats->warnings.push_back(absl::StrCat("rejected row: ", row_status.message()));
  }
  stats->bytes = reader.bytes_read();
  return absl::OkStatus();
}

struct AccountRows {
  explicit AccountRows(Dataset* o) : out(o) {}
  Dataset* out;
  WarningTally duplicates{"duplicate account_id values"};
  Column id{}, name{}, industry{}, country{};
  void Bind(const TableReader& r) {
    id = r.ColumnNamed("account_id");
    name = r.ColumnNamed("account_name");
    industry = r.ColumnNamed("industry");
    country = r.ColumnNamed("country");
  }
  absl::Status operator()(const TableReader& r) {
    CHURN_ASSIGN_OR_RETURN(auto account_id, r.Id(id));
    Account account{std::string(account_id), std::string(r.Text(name)),
                    std::string(r.Text(industry)), std::string(r.Text(country))};
    const auto [it, inserted] = out->account_index.try_emplace(
        account.account_id, static_cast<int32_t>(out->accounts.size()));
    // Both rows are kept; lookups resolve to the first, as the duplicate is reported.
    if (!inserted) duplicates.Add(absl::StrCat(account.account_id, " (line ", r.line(), ")"));
    out->accounts.push_back(std::move(account));
    return absl::OkStatus();
  }
};

struct SubscriptionRows {
  SubscriptionRows(const Dataset& k, Dataset* o) : keys(k), out(o) {}
  const Dataset& keys;  // accounts
  Dataset* out;
  WarningTally duplicates{"duplicate subscription_id values"};
  WarningTally orphans{"subscriptions whose account_id is not in accounts"};
  Column id{}, account{}, plan{}, arr{}, trial{}, downgrade{}, start{}, end{}, seats{}, billing{},
      auto_renew{};
  void Bind(const TableReader& r) {
    id = r.ColumnNamed("subscription_id");
    account = r.ColumnNamed("account_id");
    plan = r.ColumnNamed("plan_tier");
    arr = r.ColumnNamed("arr_amount");
    trial = r.ColumnNamed("is_trial");
    downgrade = r.ColumnNamed("downgrade_flag");
    start = r.ColumnNamed("start_date");
    end = r.ColumnNamed("end_date");
    seats = r.ColumnNamed("seats");
    billing = r.ColumnNamed("billing_frequency");
    auto_renew = r.ColumnNamed("auto_renew_flag");
  }
  absl::Status operator()(const TableReader& r) {
    CHURN_ASSIGN_OR_RETURN(auto subscription_id, r.Id(id));
    CHURN_ASSIGN_OR_RETURN(auto account_id, r.Id(account));
    CHURN_ASSIGN_OR_RETURN(auto arr_amount, r.Number(arr));
    CHURN_ASSIGN_OR_RETURN(auto is_trial, r.Bool(trial));
    CHURN_ASSIGN_OR_RETURN(auto downgrade_flag, r.Bool(downgrade));
    // The as-of population of a backtest reads them; a bad one means a bad export.
    CHURN_ASSIGN_OR_RETURN(auto start_date, r.Date(start));
    CHURN_ASSIGN_OR_RETURN(auto end_date, r.Date(end));
    CHURN_ASSIGN_OR_RETURN(auto seat_count, r.Count(seats));
    CHURN_ASSIGN_OR_RETURN(auto auto_renew_flag, r.Bool(auto_renew));
    Subscription subscription;
    subscription.subscription_id = std::string(subscription_id);
    subscription.account_id = std::string(account_id);
    subscription.plan_tier = std::string(r.Text(plan));
    subscription.arr = arr_amount.value_or(0);
    subscription.is_trial = is_trial.value_or(false);
    subscription.downgrade_flag = downgrade_flag.value_or(false);
    subscription.start_day = start_date;
    subscription.end_day = end_date;
    subscription.seats = seat_count;
    subscription.billing_frequency = std::string(r.Text(billing));
    subscription.auto_renew = auto_renew_flag;
    if (auto it = keys.account_index.find(subscription.account_id);
        it != keys.account_index.end()) {
      subscription.account_index = it->second;
    } else {
      orphans.Add(absl::StrCat(subscription.subscription_id, " -> ", subscription.account_id));
    }
    const auto [it, inserted] = out->subscription_index.try_emplace(
        subscription.subscription_id, static_cast<int32_t>(out->subscriptions.size()));
    if (!inserted) duplicates.Add(absl::StrCat(subscription.subscription_id, " (line ", r.line(), ")"));
    out->subscriptions.push_back(std::move(subscription));
    return absl::OkStatus();
  }
};

struct UsageRows {
  UsageRows(const Dataset& k, Dataset* o, UsageSink* s, int64_t limit)
      : keys(k), out(o), sink(s), ids(limit) {}
  const Dataset& keys;  // subscriptions
  Dataset* out;
  UsageSink* sink;
  DuplicateIdFinder ids;  // bounded memory: tens of millions of usage rows are normal
  bool ids_complete = true;  // when read in parts (ids then stays empty)
  WarningTally orphans{"usage rows whose subscription_id is not in subscriptions"};
  Column id{}, subscription{}, date{}, count{}, errors{};
  // Usage files are often grouped by subscription: remember the last lookup.
  std::string last_subscription_id;
  int32_t last_subscription_index = kNoIndex;
  void Bind(const TableReader& r) {
    id = r.ColumnNamed("usage_id");
    subscription = r.ColumnNamed("subscription_id");
    date = r.ColumnNamed("usage_date");
    count = r.ColumnNamed("usage_count");
    errors = r.ColumnNamed("error_count");
  }
  absl::Status operator()(const TableReader& r) {
    CHURN_ASSIGN_OR_RETURN(auto subscription_id, r.Id(subscription));
    CHURN_ASSIGN_OR_RETURN(auto usage_day, r.Date(date));
    CHURN_ASSIGN_OR_RETURN(auto usage_count, r.Count(count));
    CHURN_ASSIGN_OR_RETURN(auto error_count, r.Count(errors));
    if (*usage_count < 0) return r.ValueError(count, "expected a count >= 0");
    if (*error_count < 0) return r.ValueError(errors, "expected a count >= 0");
    if (r.Has(id)) {
      if (const std::string_view usage_id = r.Text(id); !usage_id.empty()) {
        ids.Add(usage_id, r.line());
      }
    }
    out->latest_usage_day = std::max(out->latest_usage_day.value_or(*usage_day), *usage_day);
    if (subscription_id != last_subscription_id) {
      last_subscription_id.assign(subscription_id);
      auto it = keys.subscription_index.find(subscription_id);
      last_subscription_index = it == keys.subscription_index.end() ? kNoIndex : it->second;
    }
    if (last_subscription_index == kNoIndex) {
      orphans.Add(absl::StrCat(std::string(subscription_id), " (line ", r.line(), ")"));
      return absl::OkStatus();
    }
    if (sink != nullptr) {
      sink->Add(UsageRecord{last_subscription_index, *usage_day, *usage_count, *error_count});
    }
    return absl::OkStatus();
  }
};

// LoadOptions::usage_threads, 0 resolved to the machine's cores.
int LoaderThreads(const LoadOptions& options) {
  return options.usage_threads > 0
             ? options.usage_threads
             : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// Advances one part's reader: true on a row; false at the part's end, or on a read error, which
// also clears `clean` (the table is then read again on one thread, which reports the error).
bool NextRowOfPart(TableReader& r, bool& clean) {
  const absl::StatusOr<bool> more = r.Next();
  if (!more.ok()) clean = false;
  return more.ok() && *more;
}

// One part of the usage table, read on its own thread. Lines are counted from 1 at the part's
// start and made absolute once the parts before it are known.
struct UsagePart {
  std::unique_ptr<TableReader> reader;
  std::unique_ptr<UsageSink> sink;  // null without a sink
  IdFingerprints ids;
  int64_t rows = 0;
  std::optional<Day> latest_day;
  int64_t orphans = 0;
  std::vector<std::pair<std::string, int64_t>> orphan_examples;  // id, line in the part
  int64_t lines = 0;
  int64_t bytes = 0;
  bool clean = true;  // false: a row or the CSV needs the one-thread reader's judgement

  explicit UsagePart(int64_t id_limit) : ids(id_limit) {}

  // How often a part publishes its id count and looks at those of the parts before it.
  static constexpr int64_t kIdCapRows = 4096;

  // The usage rows of UsageRows, with the fields read straight from the row: the same parsers,
  // no allocation per row, and no error text (a problem sends the table to UsageRows).
  // `ids_held[i]` is how many usage ids part i holds so far; this is part `index`, and with an
  // id limit it keeps no more ids than the parts before it leave room for.
  void Read(const Dataset& keys, std::vector<std::atomic<int64_t>>& ids_held, size_t index,
            int64_t id_limit) {
    TableReader& r = *reader;
    const size_t width = r.header_width();
    const size_t subscription = *r.FieldOf(r.ColumnNamed("subscription_id"));
    const size_t date = *r.FieldOf(r.ColumnNamed("usage_date"));
    const size_t count = *r.FieldOf(r.ColumnNamed("usage_count"));
    const size_t errors = *r.FieldOf(r.ColumnNamed("error_count"));
    const std::optional<size_t> id = r.FieldOf(r.ColumnNamed("usage_id"));
    std::string last_subscription_id;
    int32_t last_subscription_index = kNoIndex;
    // Rows come grouped by subscription and day: the last plain date's text and day, reused
    // while the next row has the same 10 bytes.
    char last_date_text[10] = {};
    std::optional<Day> last_date;
    while (NextRowOfPart(r, clean)) {
      const std::vector<std::string_view>& fields = r.fields();
      if (fields.size() != width && !r.CheckRowShape().ok()) {
        clean = false;
        return;
      }
      const std::string_view subscription_id = TrimBlanks(fields[subscription]);
      const std::string_view date_text = fields[date];
      std::optional<Day> day;
      if (last_date && date_text.size() == sizeof(last_date_text) &&
          std::memcmp(date_text.data(), last_date_text, sizeof(last_date_text)) == 0) {
        day = last_date;
      } else {
        day = ParseDate(date_text);
        if (day && date_text.size() == sizeof(last_date_text)) {
          std::memcpy(last_date_text, date_text.data(), sizeof(last_date_text));
          last_date = day;
        }
      }
      const std::optional<int64_t> usage_count = ParseCount(fields[count]);
      const std::optional<int64_t> error_count = ParseCount(fields[errors]);
      if (subscription_id.empty() || !day || !usage_count || !error_count || *usage_count < 0 ||
          *error_count < 0) {
        clean = false;
        return;
      }
      if (id) {
        if (const std::string_view usage_id = TrimBlanks(fields[*id]); !usage_id.empty()) {
          ids.Add(usage_id);
        }
      }
      latest_day = std::max(latest_day.value_or(*day), *day);
      if (++rows % kIdCapRows == 0) {
        ids_held[index].store(ids.size(), std::memory_order_relaxed);
        if (id_limit > 0 && index > 0) {
          int64_t before = 0;
          for (size_t i = 0; i < index; ++i) before += ids_held[i].load(std::memory_order_relaxed);
          ids.LowerCap(id_limit - before);
        }
      }
      if (subscription_id != last_subscription_id) {
        last_subscription_id.assign(subscription_id);
        auto it = keys.subscription_index.find(subscription_id);
        last_subscription_index = it == keys.subscription_index.end() ? kNoIndex : it->second;
      }
      if (last_subscription_index == kNoIndex) {
        if (++orphans <= WarningTally::kExamples) {
          orphan_examples.emplace_back(std::string(subscription_id), r.line());
        }
        continue;
      }
      if (sink != nullptr) {
        sink->Add(UsageRecord{last_subscription_index, *day, *usage_count, *error_count});
      }
    }
    if (!clean) return;  // a read error
    lines = r.next_line() - 1;
    bytes = r.bytes_read();
  }
};

// Where a table read by several threads splits: its header reader and the part boundaries (at
// least 3, so 2 parts or more). None, to read it on one thread, when there are fewer than 2
// threads or parts of `min_part_bytes`, or when opening or splitting fails (the one-thread
// reader then reports the failure).
struct PartPlan {
  std::unique_ptr<TableReader> header;
  std::vector<int64_t> boundaries;
  int threads = 0;
  int64_t begin = 0;  // where the rows start (after the header line)
  int64_t file_bytes = 0;
};

std::optional<PartPlan> PlanParts(Table table, const std::string& path, const LoadOptions& options,
                                  int64_t min_part_bytes) {
  const int threads = LoaderThreads(options);
  if (threads < 2) return std::nullopt;
  std::error_code error;
  const auto file_bytes = static_cast<int64_t>(fs::file_size(path, error));
  if (error) return std::nullopt;
  absl::StatusOr<std::unique_ptr<TableReader>> header = TableReader::Open(table, path);
  if (!header.ok()) return std::nullopt;
  const int64_t begin = (*header)->data_begin();
  const int64_t part_bytes = std::max<int64_t>(min_part_bytes, 1);
  const int parts_wanted =
      static_cast<int>(std::min<int64_t>(threads, (file_bytes - begin) / part_bytes));
  if (parts_wanted < 2) return std::nullopt;
  absl::StatusOr<std::vector<int64_t>> split =
      csv::SplitAtLineStarts(path, begin, file_bytes, parts_wanted);
  if (!split.ok() || split->size() < 3) return std::nullopt;
  return PartPlan{*std::move(header), *std::move(split), threads, begin, file_bytes};
}

// The usage table read by several threads (LoadOptions::usage_threads). Returns false, having
// changed nothing, when the table is to be read on one thread instead: a small file, a sink that
// needs rows in file order, or anything only that reader judges (see LoadOptions).
bool LoadUsageInParts(const std::string& path, const LoadOptions& options, const Dataset& keys,
                      Dataset* out, UsageSink* sink, UsageRows* usage, TableStats* stats) {
  std::optional<PartPlan> plan =
      PlanParts(Table::kFeatureUsage, path, options, options.min_usage_part_bytes);
  if (!plan) return false;
  const std::unique_ptr<TableReader>& header = plan->header;
  const std::vector<int64_t>& boundaries = plan->boundaries;
  const size_t count = boundaries.size() - 1;
  const int threads = plan->threads;
  const int64_t begin = plan->begin;
  std::vector<UsagePart> parts;
  parts.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    UsagePart& part = parts.emplace_back(options.usage_id_check_limit);
    // A usage row takes well over 16 bytes ("id,sub,YYYY-MM-DD,n,n\n").
    part.ids.Reserve((boundaries[i + 1] - boundaries[i]) / 16 + 1);
    absl::StatusOr<std::unique_ptr<TableReader>> reader =
        header->OpenPart(boundaries[i], boundaries[i + 1], 1);
    if (!reader.ok()) return false;
    part.reader = *std::move(reader);
    if (sink != nullptr) {
      part.sink = sink->NewPart();
      if (part.sink == nullptr) return false;
    }
  }
  {
    // Only the first usage_id_check_limit ids in file order are checked: a later part stops
    // keeping ids once the parts before it hold that many (its memory stays flat in rows).
    std::vector<std::atomic<int64_t>> ids_held(count);
    const int64_t id_limit = options.usage_id_check_limit;
    std::vector<std::thread> workers;
    for (size_t i = 1; i < count; ++i) {
      workers.emplace_back(
          [&parts, &ids_held, &keys, i, id_limit] { parts[i].Read(keys, ids_held, i, id_limit); });
    }
    parts[0].Read(keys, ids_held, 0, id_limit);
    for (std::thread& worker : workers) worker.join();
  }
  for (const UsagePart& part : parts) {
    if (!part.clean) return false;
  }
  // The duplicate usage_id check over the first usage_id_check_limit ids, in file order.
  int64_t room = options.usage_id_check_limit > 0 ? options.usage_id_check_limit : INT64_MAX;
  bool ids_complete = true;
  for (UsagePart& part : parts) {
    part.ids.KeepFirst(room);
    room -= part.ids.size();
    ids_complete = ids_complete && part.ids.complete();
  }
  // The first usage_id_check_limit ids are mostly in the first part: each part's are sorted
  // by all the threads, one part after the other.
  for (UsagePart& part : parts) part.ids.Sort(threads);
  std::vector<const IdFingerprints*> sorted;
  for (const UsagePart& part : parts) sorted.push_back(&part.ids);
  if (IdFingerprints::AnyRepeat(sorted)) return false;  // the warning names lines: one thread
  for (UsagePart& part : parts) part.ids = IdFingerprints(0);  // released before the merge

  stats->table = Table::kFeatureUsage;
  stats->file = path;
  stats->bytes = begin;
  stats->parts = static_cast<int>(count);
  int64_t first_line = header->data_begin_line();
  for (UsagePart& part : parts) {
    stats->rows += part.rows;
    stats->bytes += part.bytes;
    if (part.latest_day) {
      out->latest_usage_day =
          std::max(out->latest_usage_day.value_or(*part.latest_day), *part.latest_day);
    }
    for (const auto& [id, line] : part.orphan_examples) {
      usage->orphans.Add(absl::StrCat(id, " (line ", first_line + line - 1, ")"));
    }
    usage->orphans.AddUnshown(part.orphans - static_cast<int64_t>(part.orphan_examples.size()));
    if (sink != nullptr) sink->MergePart(*part.sink);
    first_line += part.lines;
  }
  usage->ids_complete = ids_complete;
  return true;
}

struct ChurnEventRows {
  ChurnEventRows(const Dataset& k, Dataset* o) : keys(k), out(o) {}
  const Dataset& keys;  // accounts
  Dataset* out;
  WarningTally duplicates{"duplicate churn_event_id values"};
  WarningTally orphans{"churn events whose account_id is not in accounts"};
  SeenIds seen_ids;
  Column id{}, account{}, date{}, reason{};
  void Bind(const TableReader& r) {
    id = r.ColumnNamed("churn_event_id");
    account = r.ColumnNamed("account_id");
    date = r.ColumnNamed("churn_date");
    reason = r.ColumnNamed("reason_code");
  }
  absl::Status operator()(const TableReader& r) {
    CHURN_ASSIGN_OR_RETURN(auto account_id, r.Id(account));
    CHURN_ASSIGN_OR_RETURN(auto churn_date, r.Date(date));
    ChurnEvent event;
    event.churn_date = churn_date;
    event.reason_code = std::string(r.Text(reason));
    if (auto it = keys.account_index.find(account_id); it != keys.account_index.end()) {
      event.account_index = it->second;
    } else {
      orphans.Add(std::string(account_id));
    }
    if (const std::string_view event_id = r.Text(id); !event_id.empty()) {
      if (!seen_ids.Insert(event_id)) duplicates.Add(std::string(event_id));
    }
    out->churn_events.push_back(std::move(event));
    return absl::OkStatus();
  }
};

struct TicketRows {
  TicketRows(const Dataset& k, Dataset* o) : keys(k), out(o) {}
  const Dataset& keys;  // accounts
  Dataset* out;
  WarningTally duplicates{"duplicate ticket_id values"};
  WarningTally orphans{"support tickets whose account_id is not in accounts"};
  SeenIds seen_ids;
  Column id{}, account{}, submitted{}, satisfaction{}, escalation{}, first_response{}, resolution{};
  std::string last_account_id;
  int32_t last_account_index = kNoIndex;
  void Bind(const TableReader& r) {
    id = r.ColumnNamed("ticket_id");
    account = r.ColumnNamed("account_id");
    submitted = r.ColumnNamed("submitted_at");
    satisfaction = r.ColumnNamed("satisfaction_score");
    escalation = r.ColumnNamed("escalation_flag");
    first_response = r.ColumnNamed("first_response_time_minutes");
    resolution = r.ColumnNamed("resolution_time_hours");
  }
  absl::Status operator()(const TableReader& r) {
    CHURN_ASSIGN_OR_RETURN(auto account_id, r.Id(account));
    CHURN_ASSIGN_OR_RETURN(auto submitted_day, r.Date(submitted));
    CHURN_ASSIGN_OR_RETURN(auto satisfaction_score, r.Number(satisfaction));
    CHURN_ASSIGN_OR_RETURN(auto escalated, r.Bool(escalation));
    CHURN_ASSIGN_OR_RETURN(auto first_response_minutes, r.Number(first_response));
    CHURN_ASSIGN_OR_RETURN(auto resolution_hours, r.Number(resolution));
    // The scoring rules read satisfaction on a 1-5 scale; another scale would silently
    // mis-score, so it is an error here rather than a surprise later.
    constexpr ValueRange kScale = kSatisfactionScoreRange;
    if (satisfaction_score && !kScale.Contains(*satisfaction_score)) {
      return r.ValueError(satisfaction,
                          absl::StrCat("expected a score from ", kScale.min, " to ", kScale.max,
                                       ", got ", std::string(r.Text(satisfaction))));
    }
    SupportTicket ticket;
    ticket.submitted = *submitted_day;
    ticket.satisfaction_score = satisfaction_score;
    ticket.escalated = escalated.value_or(false);
    ticket.first_response_minutes = first_response_minutes;
    ticket.resolution_hours = resolution_hours;
    out->latest_ticket_day =
        std::max(out->latest_ticket_day.value_or(ticket.submitted), ticket.submitted);
    // Ticket exports are often grouped by account: remember the last lookup.
    if (account_id != last_account_id) {
      last_account_id.assign(account_id);
      auto it = keys.account_index.find(account_id);
      last_account_index = it == keys.account_index.end() ? kNoIndex : it->second;
    }
    ticket.account_index = last_account_index;
    if (last_account_index == kNoIndex) orphans.Add(std::string(account_id));
    if (const std::string_view ticket_id = r.Text(id); !ticket_id.empty()) {
      if (!seen_ids.Insert(ticket_id)) duplicates.Add(std::string(ticket_id));
    }
    out->tickets.push_back(std::move(ticket));
    return absl::OkStatus();
  }
};

// One part of the tickets table, read on its own thread with the one-thread row handler's
// columns, account lookup and tallies; ticket ids are compared across the parts once all are read.
struct TicketPart {
  explicit TicketPart(const Dataset& keys) : rows(keys, &data) {}
  Dataset data;  // the part's tickets and latest day
  TicketRows rows;
  IdFingerprints ids{0};
  std::unique_ptr<TableReader> reader;
  int64_t row_count = 0;
  int64_t bytes = 0;
  bool clean = true;  // false: a row or the CSV needs the one-thread reader's judgement

  // The rows of TicketRows, with the fields read straight from the row: the same parsers and
  // checks, no status per value and no error text (a problem sends the table to TicketRows).
  void Read(int64_t reserve_rows) {
    TableReader& r = *reader;
    data.tickets.reserve(static_cast<size_t>(reserve_rows));
    ids.Reserve(reserve_rows);
    rows.Bind(r);
    const size_t width = r.header_width();
    const size_t account = *r.FieldOf(rows.account);
    const size_t submitted = *r.FieldOf(rows.submitted);
    const size_t satisfaction = *r.FieldOf(rows.satisfaction);
    const size_t escalation = *r.FieldOf(rows.escalation);
    const std::optional<size_t> first_response = r.FieldOf(rows.first_response);
    const std::optional<size_t> resolution = r.FieldOf(rows.resolution);
    const std::optional<size_t> id = r.FieldOf(rows.id);
    const std::vector<Account>& accounts = rows.keys.accounts;
    const bool accounts_unique = rows.keys.account_index.size() == accounts.size();
    constexpr size_t kAccountsAhead = 4;
    // A blank cell is nullopt; `bad` is set when a present value does not parse.
    auto number = [](std::string_view text, bool& bad) -> std::optional<double> {
      text = TrimBlanks(text);
      if (text.empty()) return std::nullopt;
      std::optional<double> value = ParseNumber(text);
      bad = bad || !value;
      return value;
    };
    while (NextRowOfPart(r, clean)) {
      const std::vector<std::string_view>& fields = r.fields();
      if (fields.size() != width && !r.CheckRowShape().ok()) {
        clean = false;
        return;
      }
      bool bad = false;
      const std::string_view account_id = TrimBlanks(fields[account]);
      const std::string_view submitted_text = TrimBlanks(fields[submitted]);
      const std::string_view escalation_text = TrimBlanks(fields[escalation]);
      const std::optional<Day> submitted_day =
          submitted_text.empty() ? std::nullopt : ParseDate(submitted_text);
      const std::optional<bool> escalated =
          escalation_text.empty() ? std::nullopt : ParseBool(escalation_text);
      SupportTicket ticket;
      ticket.satisfaction_score = number(fields[satisfaction], bad);
      if (first_response) ticket.first_response_minutes = number(fields[*first_response], bad);
      if (resolution) ticket.resolution_hours = number(fields[*resolution], bad);
      if (bad || account_id.empty() || !submitted_day || !escalated ||
          (ticket.satisfaction_score &&
           !kSatisfactionScoreRange.Contains(*ticket.satisfaction_score))) {
        clean = false;
        return;
      }
      ticket.submitted = *submitted_day;
      ticket.escalated = *escalated;
      data.latest_ticket_day =
          std::max(data.latest_ticket_day.value_or(ticket.submitted), ticket.submitted);
      // Ticket exports are often grouped by account, in the accounts' order: remember the last
      // lookup, and try the next few accounts' rows before the id index (a hash lookup is a
      // cache miss or two; the rows ahead are in cache). Without repeated account ids a row's
      // position is what the index gives.
      if (account_id != rows.last_account_id) {
        int32_t found = kNoIndex;
        if (accounts_unique && rows.last_account_index != kNoIndex) {
          const size_t from = static_cast<size_t>(rows.last_account_index) + 1;
          for (size_t i = from; i < std::min(from + kAccountsAhead, accounts.size()); ++i) {
            if (accounts[i].account_id == account_id) {
              found = static_cast<int32_t>(i);
              break;
            }
          }
        }
        if (found == kNoIndex) {
          auto it = rows.keys.account_index.find(account_id);
          found = it == rows.keys.account_index.end() ? kNoIndex : it->second;
        }
        rows.last_account_id.assign(account_id);
        rows.last_account_index = found;
      }
      ticket.account_index = rows.last_account_index;
      if (ticket.account_index == kNoIndex) rows.orphans.Add(std::string(account_id));
      if (id) {
        if (const std::string_view ticket_id = TrimBlanks(fields[*id]); !ticket_id.empty()) {
          ids.Add(ticket_id);
        }
      }
      data.tickets.push_back(ticket);
      ++row_count;
    }
    if (!clean) return;  // a read error
    bytes = r.bytes_read();
    ids.Sort(1);
  }
};

// The tickets table read by several threads (LoadOptions::usage_threads), split at line starts
// (csv::SplitAtLineStarts). A part that cannot be judged alone sends the reading back to where it
// began: part i starts where a record starts when every part before it ended cleanly, so the
// first part that did not is read again from its start to the end of the file on this thread
// (a split guessed inside a quoted field costs one part's reading again, not the table's).
// Returns false, having changed nothing, when the table is to be read on one thread instead: a
// small file, a bad row or malformed CSV (for the error and the rejection budget), or a repeated
// ticket_id (the warning names the ids in file order).
bool LoadTicketsInParts(const std::string& path, const LoadOptions& options, const Dataset& keys,
                        Dataset* out, TicketRows* tickets, TableStats* stats) {
  std::optional<PartPlan> plan =
      PlanParts(Table::kSupportTickets, path, options, options.min_ticket_part_bytes);
  if (!plan) return false;
  const std::unique_ptr<TableReader>& header = plan->header;
  std::vector<int64_t> boundaries = std::move(plan->boundaries);
  const int64_t begin = plan->begin;
  const int64_t file_bytes = plan->file_bytes;
  // A ticket row takes well over 32 bytes ("id,account,YYYY-MM-DD,..." in nine columns).
  auto reserve_rows = [&](size_t i) { return (boundaries[i + 1] - boundaries[i]) / 32 + 1; };
  std::vector<std::unique_ptr<TicketPart>> parts;
  for (size_t i = 0; i + 1 < boundaries.size(); ++i) {
    auto part = std::make_unique<TicketPart>(keys);
    absl::StatusOr<std::unique_ptr<TableReader>> reader =
        header->OpenPart(boundaries[i], boundaries[i + 1], 1);
    if (!reader.ok()) return false;
    part->reader = *std::move(reader);
    parts.push_back(std::move(part));
  }
  {
    std::vector<std::thread> workers;
    for (size_t i = 1; i < parts.size(); ++i) {
      workers.emplace_back([&parts, &reserve_rows, i] { parts[i]->Read(reserve_rows(i)); });
    }
    parts[0]->Read(reserve_rows(0));
    for (std::thread& worker : workers) worker.join();
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i]->clean) continue;
    // Parts 0..i-1 ended where records end, so part i starts at one: read the rest from there.
    boundaries.resize(i + 1);
    boundaries.push_back(file_bytes);
    parts.resize(i);
    auto rest = std::make_unique<TicketPart>(keys);
    absl::StatusOr<std::unique_ptr<TableReader>> reader =
        header->OpenPart(boundaries[i], boundaries[i + 1], 1);
    if (!reader.ok()) return false;
    rest->reader = *std::move(reader);
    rest->Read(reserve_rows(i));
    if (!rest->clean) return false;
    parts.push_back(std::move(rest));
    break;
  }
  std::vector<const IdFingerprints*> sorted;
  for (const auto& part : parts) sorted.push_back(&part->ids);
  if (IdFingerprints::AnyRepeat(sorted)) return false;

  stats->table = Table::kSupportTickets;
  stats->file = path;
  stats->bytes = begin;
  stats->parts = static_cast<int>(parts.size());
  size_t rows = 0;
  for (const auto& part : parts) rows += part->data.tickets.size();
  out->tickets.reserve(rows);
  for (const auto& part : parts) {
    out->tickets.insert(out->tickets.end(), part->data.tickets.begin(), part->data.tickets.end());
    if (const std::optional<Day> latest = part->data.latest_ticket_day) {
      out->latest_ticket_day = std::max(out->latest_ticket_day.value_or(*latest), *latest);
    }
    tickets->orphans.Merge(part->rows.orphans);
    stats->rows += part->row_count;
    stats->bytes += part->bytes;
  }
  return true;
}

}  // namespace

absl::StatusOr<DataFiles> FindDataFiles(const std::string& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    return absl::NotFoundError(absl::StrCat(dir, ": not a data folder (expected a directory "
                                                 "with the five CSV tables)"));
  }
  std::vector<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  DataFiles files;
  for (Table table : kAllTables) {
    const std::string suffix = absl::StrCat(std::string(SchemaOf(table).file_suffix), ".csv");
    std::vector<std::string> matches;
    for (const std::string& name : names) {
      // "accounts.csv" or "<prefix>_accounts.csv", never "subaccounts.csv".
      if (name == suffix || absl::EndsWith(name, absl::StrCat("_", suffix))) matches.push_back(name);
    }
    if (matches.empty()) {
      return absl::NotFoundError(absl::StrCat(dir, ": no ", std::string(SchemaOf(table).name),
                                              " table (expected a file named *", suffix, ")"));
    }
    if (matches.size() > 1) {
      return absl::InvalidArgumentError(absl::StrCat(dir, ": ", matches.size(), " files match *",
                                                     suffix, " (", matches[0], ", ", matches[1],
                                                     "): keep one"));
    }
    files.paths[static_cast<int>(table)] = (fs::path(dir) / matches[0]).string();
  }
  return files;
}

namespace {

// One table read into a Dataset of its own, its keys resolved against `keys`; bad rows count
// against `*rejected`.
absl::StatusOr<Dataset> ReadTable(Table table, const std::string& path, const LoadOptions& options,
                                  int64_t* rejected_so_far, UsageSink* usage_sink,
                                  const Dataset& keys) {
  Dataset staged;
  int64_t rejected = *rejected_so_far;
  TableStats* stats = &staged.report.of(table);
  std::vector<std::string>* warnings = &stats->warnings;
  auto load = [&](auto& rows) { return ForEachRow(table, path, options, &rejected, stats, rows); };
  switch (table) {
    case Table::kAccounts: {
      AccountRows accounts(&staged);
      CHURN_RETURN_IF_ERROR(load(accounts));
      accounts.duplicates.AppendTo(warnings);
      break;
    }
    case Table::kSubscriptions: {
      SubscriptionRows subscriptions(keys, &staged);
      CHURN_RETURN_IF_ERROR(load(subscriptions));
      subscriptions.duplicates.AppendTo(warnings);
      subscriptions.orphans.AppendTo(warnings);
      break;
    }
    case Table::kFeatureUsage: {
      UsageRows usage(keys, &staged, usage_sink, options.usage_id_check_limit);
      if (!LoadUsageInParts(path, options, keys, &staged, usage_sink, &usage, stats)) {
        CHURN_RETURN_IF_ERROR(load(usage));
      }
      WarningTally usage_duplicates("duplicate usage_id values");
      for (const DuplicateIdFinder::Duplicate& duplicate : usage.ids.Finish()) {
        usage_duplicates.Add(
            absl::StrCat("line ", duplicate.line, " repeats line ", duplicate.first_line));
      }
      usage_duplicates.AppendTo(warnings);
      usage.orphans.AppendTo(warnings);
      if (!usage.ids.complete() || !usage.ids_complete) {
        warnings->push_back(absl::StrCat("duplicate usage_id check covered the first ",
                                         usage.ids.limit(), " rows only"));
      }
      break;
    }
    case Table::kChurnEvents: {
      ChurnEventRows churn_events(keys, &staged);
      CHURN_RETURN_IF_ERROR(load(churn_events));
      churn_events.duplicates.AppendTo(warnings);
      churn_events.orphans.AppendTo(warnings);
      break;
    }
    case Table::kSupportTickets: {
      TicketRows tickets(keys, &staged);
      if (!LoadTicketsInParts(path, options, keys, &staged, &tickets, stats)) {
        CHURN_RETURN_IF_ERROR(load(tickets));
      }
      tickets.duplicates.AppendTo(warnings);
      tickets.orphans.AppendTo(warnings);
      break;
    }
  }
  *rejected_so_far = rejected;
  return staged;
}

}  // namespace

absl::StatusOr<Dataset> ReplaceTable(Table table, const std::string& path,
                                     const LoadOptions& options, int64_t* rejected_so_far,
                                     UsageSink* usage_sink, Dataset* data) {
  int64_t rejected = *rejected_so_far;
  CHURN_ASSIGN_OR_RETURN(Dataset staged,
                         ReadTable(table, path, options, &rejected, usage_sink, *data));
  *rejected_so_far = rejected;
  SwapTable(table, *data, staged);
  return staged;
}

absl::StatusOr<Dataset> LoadDataset(const DataFiles& files, const LoadOptions& options,
                                    UsageSink* usage_sink) {
  Dataset data;
  int64_t rejected = 0;
  auto replace = [&](Table table, UsageSink* sink) {
    return ReplaceTable(table, files.of(table), options, &rejected, sink, &data).status();
  };
  // Keys are resolved against the tables loaded before (kAllTables order).
  CHURN_RETURN_IF_ERROR(replace(Table::kAccounts, nullptr));
  // Churn events and tickets need only the accounts: with threads to spare they are read on
  // their own thread while the subscriptions and the usage are. That load stands only when it
  // rejected no row and failed nowhere (then the order of the tables cannot matter); otherwise
  // they are read again after the usage, in the one-thread order, with its budget and errors.
  // The reading thread sees only the accounts; the main thread swaps in only other tables.
  absl::StatusOr<Dataset> churn_events = absl::UnknownError("not read");
  absl::StatusOr<Dataset> tickets = absl::UnknownError("not read");
  int64_t later_rejected = 0;
  {
    std::jthread later;
    if (LoaderThreads(options) >= 2) {
      later = std::jthread([&] {
        churn_events = ReadTable(Table::kChurnEvents, files.of(Table::kChurnEvents), options,
                                 &later_rejected, nullptr, data);
        if (churn_events.ok()) {
          tickets = ReadTable(Table::kSupportTickets, files.of(Table::kSupportTickets), options,
                              &later_rejected, nullptr, data);
        }
      });
    }
    absl::Status status = replace(Table::kSubscriptions, nullptr);
    if (status.ok()) status = replace(Table::kFeatureUsage, usage_sink);
    if (later.joinable()) later.join();
    CHURN_RETURN_IF_ERROR(status);
  }
  if (churn_events.ok() && tickets.ok() && later_rejected == 0) {
    SwapTable(Table::kChurnEvents, data, *churn_events);
    SwapTable(Table::kSupportTickets, data, *tickets);
  } else {
    CHURN_RETURN_IF_ERROR(replace(Table::kChurnEvents, nullptr));
    CHURN_RETURN_IF_ERROR(replace(Table::kSupportTickets, nullptr));
  }
  return data;
}

}  // namespace churn::dataset
