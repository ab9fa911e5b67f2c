#include "enrichment/result_cache.h"

#include <sqlite3.h>

#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "digest/sha256.h"
#include "enrichment/analysis_schema.h"
#include "timefmt/rfc3339.h"

namespace churn::enrichment {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS enrichment_cache ("
    "  model TEXT NOT NULL,"
    "  prompt_version TEXT NOT NULL,"
    "  text_sha256 TEXT NOT NULL,"
    "  analysis_json TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  PRIMARY KEY (model, prompt_version, text_sha256))";

absl::Status SqliteError(sqlite3* db, std::string_view what) {
  return absl::InternalError(
      absl::StrCat("result cache: ", std::string(what), ": ", sqlite3_errmsg(db)));
}

void BindText(sqlite3_stmt* statement, int index, const std::string& text) {
  sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

}  // namespace

CacheKey CacheKey::For(std::string_view model, std::string_view prompt_version,
                       std::string_view sanitised_text) {
  return CacheKey{std::string(model), std::string(prompt_version), digest::Sha256Hex(sanitised_text)};
}

absl::StatusOr<std::unique_ptr<ResultCache>> ResultCache::Open(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) {
      return absl::FailedPreconditionError(absl::StrCat("result cache: cannot create directory ",
                                                        parent.string(), ": ", error.message()));
    }
  }
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status = absl::FailedPreconditionError(absl::StrCat(
        "result cache: cannot open ", path, ": ", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close(db);
    return status;
  }
  std::unique_ptr<ResultCache> cache(new ResultCache(path, db));
  concurrency::MutexLock lock(cache->mu_);
  if (absl::Status status = cache->Prepare(); !status.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(status.message(), " (", path, ")"));
  }
  return cache;
}

absl::Status ResultCache::Prepare() {
  sqlite3_busy_timeout(db_, 2000);
  // WAL: readers never wait for the writer; the file survives a crash mid-write.
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", kSchema}) {
    if (sqlite3_exec(db_, pragma, nullptr, nullptr, nullptr) != SQLITE_OK) {
      return SqliteError(db_, pragma);
    }
  }
  if (sqlite3_prepare_v2(db_,
                         "SELECT analysis_json FROM enrichment_cache WHERE model = ?1 AND "
                         "prompt_version = ?2 AND text_sha256 = ?3",
                         -1, &select_, nullptr) != SQLITE_OK) {
    return SqliteError(db_, "prepare select");
  }
  if (sqlite3_prepare_v2(db_,
                         "INSERT OR REPLACE INTO enrichment_cache (model, prompt_version, "
                         "text_sha256, analysis_json, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                         -1, &upsert_, nullptr) != SQLITE_OK) {
    return SqliteError(db_, "prepare insert");
  }
  return absl::OkStatus();
}

ResultCache::~ResultCache() {
  sqlite3_finalize(select_);
  sqlite3_finalize(upsert_);
  sqlite3_close(db_);
}

absl::StatusOr<std::optional<tickets::TicketAnalysis>> ResultCache::Lookup(const CacheKey& key) {
  concurrency::MutexLock lock(mu_);
  sqlite3_reset(select_);
  sqlite3_clear_bindings(select_);
  BindText(select_, 1, key.model);
  BindText(select_, 2, key.prompt_version);
  BindText(select_, 3, key.text_sha256);
  const int rc = sqlite3_step(select_);
  if (rc == SQLITE_DONE) {
    ++misses_;
    return std::nullopt;
  }
  if (rc != SQLITE_ROW) return SqliteError(db_, "lookup");
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(select_, 0));
  const int size = sqlite3_column_bytes(select_, 0);
  absl::StatusOr<tickets::TicketAnalysis> analysis =
      ParseModelAnalysis(std::string_view(text ? text : "", text ? size : 0));
  sqlite3_reset(select_);
  if (!analysis.ok()) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  return *std::move(analysis);
}

absl::Status ResultCache::Store(const CacheKey& key, const tickets::TicketAnalysis& analysis) {
  const std::string json = AnalysisToJson(analysis).dump();
  const std::string now = timefmt::FormatRfc3339Seconds(absl::Now());
  concurrency::MutexLock lock(mu_);
  sqlite3_reset(upsert_);
  sqlite3_clear_bindings(upsert_);
  BindText(upsert_, 1, key.model);
  BindText(upsert_, 2, key.prompt_version);
  BindText(upsert_, 3, key.text_sha256);
  BindText(upsert_, 4, json);
  BindText(upsert_, 5, now);
  const int rc = sqlite3_step(upsert_);
  sqlite3_reset(upsert_);
  if (rc != SQLITE_DONE) return SqliteError(db_, "store");
  return absl::OkStatus();
}

int64_t ResultCache::hits() const {
  concurrency::MutexLock lock(mu_);
  return hits_;
}

int64_t ResultCache::misses() const {
  concurrency::MutexLock lock(mu_);
  return misses_;
}

}  // namespace churn::enrichment
