#pragma once
// The risk history: every snapshot's assessments, one row per (customer, snapshot date) with the
// score, the level and the fired rules, kept in a SQLite file (WAL, full synchronous commits, as
// the outcome log) so trends survive restarts. Compact: customers and rule ids are interned in
// tables of their own, dates are day numbers, levels small integers and the fired rules a few
// bytes (fired_rules_codec.h):
//
//   customers(id INTEGER PRIMARY KEY, customer_id TEXT UNIQUE)
//   rules(id INTEGER PRIMARY KEY, rule TEXT UNIQUE)
//   assessments(day INTEGER, customer INTEGER, score INTEGER, level INTEGER, rules BLOB,
//               PRIMARY KEY (day, customer)) WITHOUT ROWID, indexed by (customer, day)
//   settings(key TEXT PRIMARY KEY, value INTEGER)  -- the backfill anchor
//
// Retention counts back from the newest snapshot date, not from the clock, so replayed or old
// exports are not deleted on arrival.
//
// A rewrite of the newest date this store wrote touches only the rows that changed: the store
// keeps a fingerprint of each row of that write (score, level and fired rules: about 30 bytes a
// customer), so a refresh that rescored a few customers of a million writes a few rows, not a
// million. The fingerprints are dropped, and the next write of the date rewrites it whole, when
// another connection changed the file (PRAGMA data_version), the retention deleted rows, a
// write failed or the store reconnected. Safe to use from many threads (one connection behind a
// mutex). A full disk is RESOURCE_EXHAUSTED, a file that cannot be written UNAVAILABLE; the
// store reconnects on the next call, as the outcome log does.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "concurrency/mutex.h"
#include "dataset/value_parsers.h"
#include "riskhistory/risk_movements.h"
#include "scoring/engine.h"

struct sqlite3;

namespace churn::riskhistory {

struct HistoryEntry {
  std::string customer_id;
  int score = 0;
  scoring::RiskLevel level = scoring::RiskLevel::kLow;
  std::vector<std::string> fired_rules;  // rule ids, in rule order
};

struct TrendPoint {
  dataset::Day date = 0;
  int score = 0;
  scoring::RiskLevel level = scoring::RiskLevel::kLow;
  std::vector<std::string> fired_rules;
};

// What a write did to the file.
struct WrittenRows {
  bool whole_date = false;  // the date's rows were all deleted and written again
  int64_t stored = 0;       // rows inserted or replaced
  int64_t removed = 0;      // rows of customers no longer in the date, deleted (not whole_date)
};

struct HistoryStoreOptions {
  // Rows dated more than this many days before the newest snapshot are deleted; 0 keeps all.
  int64_t retention_days = 365;
};

class RiskHistoryStore {
 public:
  // Opens (creating when missing, with its parent folders); UNAVAILABLE when not writable.
  static absl::StatusOr<std::unique_ptr<RiskHistoryStore>> Open(const std::string& path,
                                                                HistoryStoreOptions options);
  // Like Open, but an unwritable file still yields a store whose calls fail until it opens (the
  // reason in *not_writable). An error only for an empty path or a negative retention.
  static absl::StatusOr<std::unique_ptr<RiskHistoryStore>> OpenOrDefer(const std::string& path,
                                                                       HistoryStoreOptions options,
                                                                       absl::Status* not_writable);
  ~RiskHistoryStore();
  RiskHistoryStore(const RiskHistoryStore&) = delete;
  RiskHistoryStore& operator=(const RiskHistoryStore&) = delete;

  // Replaces every row of `date` with `entries` in one transaction (a rescored snapshot of the
  // same date, e.g. after a rules reload, overwrites), then applies the retention.
  // InvalidArgument for an empty or repeated customer id.
  absl::Status WriteSnapshot(dataset::Day date, absl::Span<const HistoryEntry> entries);
  // The same, with the entries pulled chunk by chunk: `next` appends the next few entries to
  // its (empty) argument and leaves it empty when none are left. Memory stays at one chunk (and
  // the fingerprints) however many customers; an error from `next` rolls the write back and is
  // returned.
  using EntrySource = std::function<absl::Status(std::vector<HistoryEntry>* chunk)>;
  absl::StatusOr<WrittenRows> WriteSnapshotFrom(dataset::Day date, const EntrySource& next);

  // Every snapshot date held, ascending.
  absl::StatusOr<std::vector<dataset::Day>> SnapshotDates() const;
  // The customer's rows, oldest first; empty for an unknown customer.
  absl::StatusOr<std::vector<TrendPoint>> Trend(const std::string& customer_id) const;
  // Movements as of the newest snapshot (risk_movements.h); empty for an empty history.
  absl::StatusOr<RiskMovements> Movements() const;

  // The date the backfill counts back from, stored once (on first start) so every restart
  // resumes the same weekly dates; absent before.
  absl::StatusOr<std::optional<dataset::Day>> BackfillAnchor() const;
  absl::Status SetBackfillAnchor(dataset::Day date);

  const std::string& path() const { return path_; }

 private:
  RiskHistoryStore(std::string path, HistoryStoreOptions options);
  absl::Status ConnectLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status ReadyLocked(bool write) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The rows of the newest date written, as fingerprints (see the class comment).
  struct LastWrite {
    dataset::Day date = 0;
    int64_t data_version = 0;  // PRAGMA data_version after its commit
    CustomerIdMap<uint64_t> rows;
  };
  // Writes the entries into an open transaction: every row of `date` replaced when `before`
  // is null, else only the rows whose fingerprints differ from `before`'s, and the customers
  // `before` has and the entries lack deleted. The entries' fingerprints go to `after`;
  // `pruned`: the retention deleted rows.
  absl::StatusOr<WrittenRows> WriteLocked(dataset::Day date, const EntrySource& next,
                                          const CustomerIdMap<uint64_t>* before,
                                          CustomerIdMap<uint64_t>* after, bool* pruned)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<int64_t> DataVersionLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The (interned customer, score, level) of every row of `date`, by customer.
  struct StoredRow {
    int64_t customer;
    int score;
    scoring::RiskLevel level;
  };
  absl::StatusOr<std::vector<StoredRow>> RowsOfLocked(dataset::Day date) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::vector<dataset::Day>> DatesLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  const HistoryStoreOptions options_;
  mutable concurrency::Mutex mu_;
  mutable sqlite3* db_ ABSL_GUARDED_BY(mu_) = nullptr;
  mutable bool read_only_ ABSL_GUARDED_BY(mu_) = false;
  mutable std::optional<LastWrite> last_write_ ABSL_GUARDED_BY(mu_);
};

}  // namespace churn::riskhistory
