#pragma once
// The outcome log: every follow-up a CSM records, kept in a SQLite file so nothing is lost on a
// restart or a crash. The file is opened in WAL mode with full synchronous commits: a Record
// that returned OK is on disk. Safe to use from many threads (one connection behind a mutex;
// follow-ups are written by people, a few per minute, so contention does not matter).
//
// A full disk refuses a record with RESOURCE_EXHAUSTED; a read-only file system (or a file that
// cannot be opened for writing) with UNAVAILABLE, and the log opens the file again on the next
// call, so records succeed once the file system is writable again without a restart.
//
//   outcomes(id INTEGER PRIMARY KEY AUTOINCREMENT, customer_id TEXT, outcome TEXT, note TEXT,
//            recorded_at TEXT (RFC 3339 UTC), recorded_by TEXT)

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "concurrency/mutex.h"
#include "outcomes/outcome_kind.h"

struct sqlite3;

namespace churn::outcomes {

struct Outcome {
  int64_t id = 0;  // increases with every record: a larger id is a newer record
  std::string customer_id;
  OutcomeKind kind = OutcomeKind::kContacted;
  std::string note;
  absl::Time recorded_at;
  std::string recorded_by;
};

struct NewOutcome {
  std::string customer_id;  // required
  OutcomeKind kind = OutcomeKind::kContacted;
  std::string note;         // at most kMaxNoteBytes
  std::string recorded_by;  // at most kMaxRecordedByBytes
};

inline constexpr size_t kMaxNoteBytes = 4000;
inline constexpr size_t kMaxRecordedByBytes = 200;
inline constexpr size_t kMaxCustomerIdBytes = 200;

struct OutcomePage {
  std::vector<Outcome> outcomes;  // newest first
  int64_t next_before_id = 0;     // pass as before_id for the next page; 0 on the last page
};

// The SELECT that OutcomeLog::List runs (?1 customer_id, ?2 before_id, ?3 limit): only the
// filters that are set, so that SQLite searches the outcomes_by_customer index for a customer's
// records; an "?1 = '' OR customer_id = ?1" term would make every brief scan the whole log.
std::string OutcomeListQuery(bool by_customer, bool before_id);

class OutcomeLog {
 public:
  // Opens (creating when missing, with its parent folders) the log at `path`; UNAVAILABLE when
  // the file cannot be opened for writing.
  static absl::StatusOr<std::unique_ptr<OutcomeLog>> Open(const std::string& path);
  // Like Open, but a file that cannot be opened for writing yet still yields a log (its calls
  // answer UNAVAILABLE until the file opens), with the reason in *not_writable; a service keeps
  // serving everything else meanwhile. An error only for an empty path.
  static absl::StatusOr<std::unique_ptr<OutcomeLog>> OpenOrDefer(const std::string& path,
                                                                 absl::Status* not_writable);
  ~OutcomeLog();
  OutcomeLog(const OutcomeLog&) = delete;
  OutcomeLog& operator=(const OutcomeLog&) = delete;

  // InvalidArgument for an empty customer id or oversized text; ResourceExhausted when the disk
  // is full; Unavailable when the file cannot be written; the stored record otherwise.
  absl::StatusOr<Outcome> Record(const NewOutcome& outcome, absl::Time recorded_at);

  // Newest first. `customer_id` empty: every customer. `before_id` > 0: only older records
  // (the paging cursor). `limit` is capped at 1000.
  absl::StatusOr<OutcomePage> List(const std::string& customer_id, int64_t before_id,
                                   int limit) const;

  const std::string& path() const { return path_; }

 private:
  explicit OutcomeLog(std::string path);
  // (Re)opens the file read-write, or read-only when that is all the file system allows.
  absl::Status ConnectLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  mutable concurrency::Mutex mu_;
  // Null while the file cannot be opened; reconnected by the next call.
  mutable sqlite3* db_ ABSL_GUARDED_BY(mu_) = nullptr;
  // Opened read-only (a read-only file system): lists work, records reconnect first.
  mutable bool read_only_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace churn::outcomes
