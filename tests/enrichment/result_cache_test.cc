// The result cache is a real SQLite file: answers survive a reopen, keys separate models and
// prompt versions, and a tampered entry is not trusted.
#include "enrichment/result_cache.h"

#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "testing/scratch_dir.h"

namespace churn::enrichment {
namespace {

std::string FreshPath(const std::string& name) {
  const std::filesystem::path dir = churn::testing::ProgramScratch() / "cache-test" / name;
  std::filesystem::remove_all(dir);
  return (dir / "sub" / "enrichment-cache.sqlite").string();
}

tickets::TicketAnalysis Analysis() {
  tickets::TicketAnalysis analysis;
  analysis.summary = "Renewal beyond budget";
  analysis.category = "billing";
  analysis.sentiment = "negative";
  analysis.churn_intent = true;
  analysis.recommended_action = "Call about pricing";
  analysis.source = "model";
  return analysis;
}

TEST(ResultCache, StoresAndFindsAcrossReopen) {
  const std::string path = FreshPath("reopen");
  const CacheKey key = CacheKey::For("llama3.1:8b", "v1", "ticket text");
  {
    auto cache = ResultCache::Open(path);
    ASSERT_TRUE(cache.ok()) << cache.status();
    auto miss = (*cache)->Lookup(key);
    ASSERT_TRUE(miss.ok()) << miss.status();
    EXPECT_FALSE(miss->has_value());
    ASSERT_TRUE((*cache)->Store(key, Analysis()).ok());
    EXPECT_EQ((*cache)->misses(), 1);
  }
  auto cache = ResultCache::Open(path);
  ASSERT_TRUE(cache.ok()) << cache.status();
  auto hit = (*cache)->Lookup(key);
  ASSERT_TRUE(hit.ok()) << hit.status();
  ASSERT_TRUE(hit->has_value());
  EXPECT_EQ((*hit)->category, "billing");
  EXPECT_TRUE((*hit)->churn_intent);
  EXPECT_EQ((*hit)->source, "model");
  EXPECT_EQ((*cache)->hits(), 1);
}

TEST(ResultCache, KeySeparatesModelPromptVersionAndText) {
  auto cache = ResultCache::Open(FreshPath("keys"));
  ASSERT_TRUE(cache.ok()) << cache.status();
  ASSERT_TRUE((*cache)->Store(CacheKey::For("llama3.1:8b", "v1", "text"), Analysis()).ok());
  for (const CacheKey& other :
       {CacheKey::For("llama3.2:3b", "v1", "text"), CacheKey::For("llama3.1:8b", "v2", "text"),
        CacheKey::For("llama3.1:8b", "v1", "text ")}) {
    auto found = (*cache)->Lookup(other);
    ASSERT_TRUE(found.ok());
    EXPECT_FALSE(found->has_value()) << other.model << " " << other.prompt_version;
  }
  EXPECT_EQ(CacheKey::For("m", "v", "text").text_sha256.size(), 64u);
}

TEST(ResultCache, TamperedEntryIsAMiss) {
  const std::string path = FreshPath("tampered");
  const CacheKey key = CacheKey::For("llama3.1:8b", "v1", "text");
  {
    auto cache = ResultCache::Open(path);
    ASSERT_TRUE(cache.ok());
    ASSERT_TRUE((*cache)->Store(key, Analysis()).ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "UPDATE enrichment_cache SET analysis_json = "
                         "'{\"category\":\"<script>\"}'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto cache = ResultCache::Open(path);
  ASSERT_TRUE(cache.ok());
  auto found = (*cache)->Lookup(key);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST(ResultCache, FileThatIsNotADatabaseIsAClearError) {
  const std::string path = FreshPath("garbage");
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << std::string(4096, 'x');
  auto cache = ResultCache::Open(path);
  EXPECT_EQ(cache.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(cache.status().message().find(path), absl::string_view::npos) << cache.status();
}

}  // namespace
}  // namespace churn::enrichment
