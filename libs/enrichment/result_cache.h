#pragma once
// Model answers kept in a SQLite file, so a ticket that was analysed once is never sent to the
// model again (across restarts too). The key is the model, the prompt version and the SHA-256
// of the sanitised ticket text: a new model or prompt starts afresh, the text itself is not
// stored. Entries are validated again when read (the file is not trusted more than the model).
// Thread-safe.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "concurrency/mutex.h"
#include "tickets/ticket_analysis.h"

struct sqlite3;
struct sqlite3_stmt;

namespace churn::enrichment {

struct CacheKey {
  std::string model;
  std::string prompt_version;
  std::string text_sha256;  // lower-case hex

  static CacheKey For(std::string_view model, std::string_view prompt_version,
                      std::string_view sanitised_text);
};

class ResultCache {
 public:
  // Opens (creating the file and its directory when needed) the cache at `path`.
  static absl::StatusOr<std::unique_ptr<ResultCache>> Open(const std::string& path);
  ~ResultCache();
  ResultCache(const ResultCache&) = delete;
  ResultCache& operator=(const ResultCache&) = delete;

  // nullopt on a miss (an entry that no longer validates counts as a miss).
  absl::StatusOr<std::optional<tickets::TicketAnalysis>> Lookup(const CacheKey& key);
  // Inserts or replaces.
  absl::Status Store(const CacheKey& key, const tickets::TicketAnalysis& analysis);

  int64_t hits() const ABSL_LOCKS_EXCLUDED(mu_);
  int64_t misses() const ABSL_LOCKS_EXCLUDED(mu_);
  const std::string& path() const { return path_; }

 private:
  ResultCache(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  absl::Status Prepare() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  mutable concurrency::Mutex mu_;
  sqlite3* db_;
  sqlite3_stmt* select_ ABSL_GUARDED_BY(mu_) = nullptr;
  sqlite3_stmt* upsert_ ABSL_GUARDED_BY(mu_) = nullptr;
  int64_t hits_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t misses_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace churn::enrichment
