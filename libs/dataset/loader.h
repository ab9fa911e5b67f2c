#pragma once
// Finds and loads the five tables of a data folder, validating every value.

#include <array>
#include <string>

#include "absl/status/statusor.h"
#include "dataset/dataset.h"

namespace churn::dataset {

struct DataFiles {
  std::array<std::string, 5> paths;  // indexed by Table
  const std::string& of(Table table) const { return paths[static_cast<int>(table)]; }
};

// Finds "*<table>.csv" for each table in `dir` (accounts.csv, ravenstack_accounts.csv, ...).
// A missing or ambiguous table is an error naming the folder and the pattern.
absl::StatusOr<DataFiles> FindDataFiles(const std::string& dir);

struct LoadOptions {
  // Rows with bad values that may be skipped (and reported) before the load fails. The
  // default 0 is strict: the first bad value fails the load, and the caller keeps its last
  // good data. Malformed CSV (e.g. an unterminated quote) always fails the load.
  int64_t max_rejected_rows = 0;
  // Duplicate usage_id detection remembers this many ids (0: every id), so memory stays
  // bounded on tables with tens of millions of rows; beyond it the check is reported as
  // partial. Each thread reading the usage table keeps 8-byte fingerprints of the ids it may
  // need: at most this many, fewer as the parts before it fill the limit.
  int64_t usage_id_check_limit = 4'000'000;
  // Threads that read the usage table and the tickets table (0: one per core). The file is split at
  // line starts into parts of at least min_usage_part_bytes; anything only a reader of the whole
  // file can judge (a bad row, malformed CSV, a split inside a quoted field, a repeated usage_id)
  // makes the table be read again on one thread, so the result never depends on the threads. With 2
  // or more, churn events and tickets are read on a thread of their own meanwhile (read again in
  // table order when that load rejected a row or failed).
  int usage_threads = 0;
  int64_t min_usage_part_bytes = 8 << 20;
  // The tickets table is read in parts of at least this many bytes the same way (a refresh after
  // a tickets change reads only it: signals/parsed_tables.h), except that a split guessed inside
  // a quoted field (ticket text) reads on from the last part that starts a record instead of
  // reading the whole table again.
  int64_t min_ticket_part_bytes = 1 << 20;
};

// Loads every table; usage rows go to `usage_sink` (may be null) instead of memory.
absl::StatusOr<Dataset> LoadDataset(const DataFiles& files, const LoadOptions& options,
                                    UsageSink* usage_sink);

// Loads one table from `path` into `data`, resolving its keys against the tables `data` holds
// (subscriptions against accounts, usage against subscriptions, churn events and tickets against
// accounts), so a refresh reads only the tables that changed. Returns what `data` held of the
// table before, as a Dataset holding only that table, so a caller can put it back (SwapTable).
// On failure `data` is unchanged. Bad rows count against `*rejected_so_far`, the budget of
// LoadOptions::max_rejected_rows spent by the tables before it in kAllTables order; usage rows
// go to `usage_sink` (may be null).
absl::StatusOr<Dataset> ReplaceTable(Table table, const std::string& path,
                                     const LoadOptions& options, int64_t* rejected_so_far,
                                     UsageSink* usage_sink, Dataset* data);

}  // namespace churn::dataset
