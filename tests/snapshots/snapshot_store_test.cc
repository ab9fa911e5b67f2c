// Versioned snapshots: a publish per changed load, none for identical data, and a bad load that
// never replaces the last good snapshot.

#include "snapshots/snapshot_store.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "signals/signal_history.h"
#include "snapshots/content_hash.h"
#include "testing/data_folder.h"

namespace churn::snapshots {
namespace {

using churn::testing::DefaultTables;
using churn::testing::WriteDataFolder;
using ::testing::HasSubstr;

constexpr char kUsageHeader[] =
    "usage_id,subscription_id,usage_date,feature_name,usage_count,usage_duration_secs,"
    "error_count,is_beta_feature\n";

void WriteFile(const std::string& dir, const std::string& name, const std::string& text) {
  std::ofstream(std::filesystem::path(dir) / name, std::ios::binary | std::ios::trunc) << text;
}

LoadResult LoadOk(SnapshotStore& store, const std::string& dir,
                  std::optional<dataset::Day> as_of = std::nullopt) {
  absl::StatusOr<LoadResult> result = store.LoadFolder(dir, as_of);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : LoadResult{};
}

TEST(SnapshotStore, NothingIsCurrentBeforeTheFirstLoad) {
  SnapshotStore store;
  EXPECT_EQ(store.Current(), nullptr);
  EXPECT_FALSE(store.LastFailure().has_value());
}

TEST(SnapshotStore, FirstLoadPublishesVersionOneWithSignalsAndWindowEnds) {
  const std::string dir = WriteDataFolder("store_first");
  SnapshotStore store;
  LoadResult result = LoadOk(store, dir);
  ASSERT_NE(result.snapshot, nullptr);
  EXPECT_TRUE(result.published);
  EXPECT_EQ(result.snapshot->version, 1);
  EXPECT_EQ(result.snapshot->source_dir, dir);
  EXPECT_EQ(result.snapshot->signals.customers.size(), 2u);
  EXPECT_EQ(dataset::FormatDate(*result.snapshot->signals.usage_window_end), "2024-12-31");
  EXPECT_EQ(dataset::FormatDate(*result.snapshot->signals.support_window_end), "2024-12-31");
  EXPECT_EQ(result.snapshot->content_hash.size(), 64u);
  EXPECT_EQ(store.Current(), result.snapshot);
}

TEST(SnapshotStore, LongViewsOnlyWhenAskedAndAsOfTheUsageWindowEnd) {
  const std::string dir = WriteDataFolder("store_long_views");
  SnapshotStore plain;
  for (const CustomerSignals& c : LoadOk(plain, dir).snapshot->signals.customers) {
    EXPECT_FALSE(c.long_views.has_value()) << c.customer_id;
  }
  SnapshotStore with_views({.versions_kept = 3, .load = {}, .long_views = true});
  LoadResult result = LoadOk(with_views, dir);
  ASSERT_NE(result.snapshot, nullptr);
  // The same views churnctl explain --model computes for the snapshot's usage window end.
  absl::StatusOr<dataset::DataFiles> files = dataset::FindDataFiles(dir);
  ASSERT_TRUE(files.ok());
  auto expected = LongViewsByCustomer(*files, *result.snapshot->signals.usage_window_end);
  ASSERT_TRUE(expected.ok()) << expected.status();
  ASSERT_EQ(result.snapshot->signals.customers.size(), 2u);
  for (const CustomerSignals& c : result.snapshot->signals.customers) {
    ASSERT_TRUE(c.long_views.has_value()) << c.customer_id;
    const LongViews& want = expected->at(c.customer_id);
    EXPECT_EQ(c.long_views->usage_90d, want.usage_90d) << c.customer_id;
    EXPECT_EQ(c.long_views->tenure_days, want.tenure_days) << c.customer_id;
    EXPECT_EQ(c.long_views->days_since_last_activity, want.days_since_last_activity);
    EXPECT_EQ(c.long_views->tickets_prev30d, want.tickets_prev30d) << c.customer_id;
  }
  EXPECT_GT(result.snapshot->signals.customers[0].long_views->usage_90d +
                result.snapshot->signals.customers[1].long_views->usage_90d,
            0);
}

TEST(SnapshotStore, UnchangedDataPublishesNoNewVersion) {
  const std::string dir = WriteDataFolder("store_unchanged");
  SnapshotStore store;
  LoadResult first = LoadOk(store, dir);
  // Rewritten with the same bytes: a new mtime, the same content.
  WriteFile(dir, "accounts.csv", DefaultTables().at("accounts.csv"));
  LoadResult second = LoadOk(store, dir);
  EXPECT_FALSE(second.published);
  EXPECT_EQ(second.snapshot, first.snapshot);
  EXPECT_EQ(store.Current()->version, 1);
}

TEST(SnapshotStore, ChangedDataPublishesTheNextVersion) {
  const std::string dir = WriteDataFolder("store_changed");
  SnapshotStore store;
  LoadResult first = LoadOk(store, dir);
  WriteFile(dir, "feature_usage.csv",
            std::string(kUsageHeader) + "U-9,S-1,2025-01-10,f,3,1,0,False\n");
  LoadResult second = LoadOk(store, dir);
  EXPECT_TRUE(second.published);
  EXPECT_EQ(second.snapshot->version, 2);
  EXPECT_NE(second.snapshot->content_hash, first.snapshot->content_hash);
  EXPECT_EQ(dataset::FormatDate(*second.snapshot->signals.usage_window_end), "2025-01-10");
  // The first snapshot is untouched: readers holding it see the old data.
  EXPECT_EQ(dataset::FormatDate(*first.snapshot->signals.usage_window_end), "2024-12-31");
}

TEST(SnapshotStore, BrokenFileIsReportedAndTheOldSnapshotKept) {
  const std::string dir = WriteDataFolder("store_broken");
  SnapshotStore store;
  LoadResult good = LoadOk(store, dir);
  WriteFile(dir, "feature_usage.csv",
            std::string(kUsageHeader) +
                "U-1,S-1,2024-12-31,f,1,1,0,False\n"
                "U-2,S-1,2024-13-45,f,1,1,0,False\n");
  absl::StatusOr<LoadResult> broken = store.LoadFolder(dir, std::nullopt);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(broken.status().message()),
              HasSubstr("feature_usage.csv:3:9: usage_date"));
  EXPECT_EQ(store.Current(), good.snapshot);
  ASSERT_TRUE(store.LastFailure().has_value());
  EXPECT_EQ(store.LastFailure()->status, broken.status());
  EXPECT_LE(store.LastFailure()->at, absl::Now());

  // Fixed: the next version, and the failure is cleared.
  WriteFile(dir, "feature_usage.csv",
            std::string(kUsageHeader) + "U-1,S-1,2024-12-31,f,1,1,0,False\n");
  LoadResult fixed = LoadOk(store, dir);
  EXPECT_TRUE(fixed.published);
  EXPECT_EQ(fixed.snapshot->version, 2);
  EXPECT_FALSE(store.LastFailure().has_value());
}

TEST(SnapshotStore, RestoringTheOriginalDataClearsTheFailureWithoutANewVersion) {
  const std::string dir = WriteDataFolder("store_restored");
  SnapshotStore store;
  LoadOk(store, dir);
  WriteFile(dir, "accounts.csv", "account_id,account_name\n\"A-1,Acme\n");  // unterminated quote
  EXPECT_FALSE(store.LoadFolder(dir, std::nullopt).ok());
  ASSERT_TRUE(store.LastFailure().has_value());
  WriteFile(dir, "accounts.csv", DefaultTables().at("accounts.csv"));
  LoadResult restored = LoadOk(store, dir);
  EXPECT_FALSE(restored.published);
  EXPECT_EQ(restored.snapshot->version, 1);
  EXPECT_FALSE(store.LastFailure().has_value());
}

TEST(SnapshotStore, MissingFolderFailsBeforeAnythingIsLoaded) {
  SnapshotStore store;
  absl::StatusOr<LoadResult> result = store.LoadFolder(
      (std::filesystem::path(::testing::TempDir()) / "no_such_folder").string(), std::nullopt);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store.Current(), nullptr);
  EXPECT_TRUE(store.LastFailure().has_value());
}

TEST(SnapshotStore, AsOfIsPartOfTheContent) {
  const std::string dir = WriteDataFolder("store_as_of");
  SnapshotStore store;
  LoadResult latest = LoadOk(store, dir);
  LoadResult as_of = LoadOk(store, dir, dataset::ParseDate("2024-12-15"));
  EXPECT_TRUE(as_of.published);
  EXPECT_EQ(as_of.snapshot->version, 2);
  EXPECT_EQ(dataset::FormatDate(*as_of.snapshot->signals.usage_window_end), "2024-12-15");
  EXPECT_NE(as_of.snapshot->content_hash, latest.snapshot->content_hash);
}

TEST(SnapshotStore, KeepsTheConfiguredNumberOfVersions) {
  const std::string dir = WriteDataFolder("store_versions");
  SnapshotStore store(SnapshotStoreOptions{.versions_kept = 3, .load = {}});
  for (int day = 1; day <= 4; ++day) {
    WriteFile(
        dir, "feature_usage.csv",
        std::string(kUsageHeader) + "U-1,S-1,2025-01-0" + std::to_string(day) + ",f,1,1,0,False\n");
    EXPECT_EQ(LoadOk(store, dir).snapshot->version, day);
  }
  EXPECT_EQ(store.Find(1), nullptr);
  ASSERT_NE(store.Find(2), nullptr);
  EXPECT_EQ(store.Find(2)->version, 2);
  EXPECT_EQ(store.Find(4), store.Current());
  EXPECT_EQ(store.Find(5), nullptr);
  std::vector<std::shared_ptr<const Snapshot>> held = store.Held();
  ASSERT_EQ(held.size(), 3u);
  EXPECT_EQ(held[0]->version, 4);
  EXPECT_EQ(held[2]->version, 2);
}

TEST(SnapshotStore, LoadFilesReplacesOneTable) {
  const std::string dir = WriteDataFolder("store_files");
  const std::string upload_dir = WriteDataFolder("store_files_upload");
  SnapshotStore store;
  LoadResult first = LoadOk(store, dir);
  dataset::DataFiles files = first.snapshot->files;
  const std::string upload = (std::filesystem::path(upload_dir) / "my_usage.csv").string();
  WriteFile(upload_dir, "my_usage.csv",
            std::string(kUsageHeader) + "U-1,S-2,2025-02-01,f,7,1,0,False\n");
  files.paths[static_cast<int>(dataset::Table::kFeatureUsage)] = upload;
  absl::StatusOr<LoadResult> result = store.LoadFiles(dir, files, std::nullopt);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->published);
  EXPECT_EQ(result->snapshot->version, 2);
  EXPECT_EQ(result->snapshot->files.of(dataset::Table::kFeatureUsage), upload);
  EXPECT_EQ(result->snapshot->signals.report.of(dataset::Table::kFeatureUsage).rows, 1);
}

TEST(SnapshotStore, AnUploadReplacesOneTableOfTheCurrentSnapshot) {
  const std::string dir = WriteDataFolder("store_upload");
  const std::string staging = WriteDataFolder("store_upload_staging");
  SnapshotStore store;
  LoadOk(store, dir);
  const std::string staged = (std::filesystem::path(staging) / "7-usage.csv").string();
  WriteFile(staging, "7-usage.csv",
            std::string(kUsageHeader) + "U-1,S-2,2025-02-01,f,7,1,0,False\n");
  absl::StatusOr<LoadResult> result = store.LoadReplacingTable(
      dataset::Table::kFeatureUsage, staged, "usage.csv", "/unused", std::nullopt);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->published);
  EXPECT_EQ(result->snapshot->version, 2);
  EXPECT_EQ(result->snapshot->source_dir, dir);
  EXPECT_EQ(result->snapshot->files.of(dataset::Table::kFeatureUsage), staged);
  EXPECT_EQ(result->snapshot->files.of(dataset::Table::kAccounts),
            (std::filesystem::path(dir) / "accounts.csv").string());
  EXPECT_EQ(dataset::FormatDate(*result->snapshot->signals.usage_window_end), "2025-02-01");
}

TEST(SnapshotStore, ABrokenUploadNamesTheUsersFileAndKeepsTheSnapshot) {
  const std::string dir = WriteDataFolder("store_upload_bad");
  const std::string staging = WriteDataFolder("store_upload_bad_staging");
  SnapshotStore store;
  LoadResult good = LoadOk(store, dir);
  const std::string staged = (std::filesystem::path(staging) / "8-usage.csv").string();
  WriteFile(staging, "8-usage.csv",
            std::string(kUsageHeader) + "U-1,S-2,yesterday,f,7,1,0,False\n");
  absl::StatusOr<LoadResult> result = store.LoadReplacingTable(
      dataset::Table::kFeatureUsage, staged, "my usage.csv", "/unused", std::nullopt);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("my usage.csv:2:9: usage_date"));
  EXPECT_THAT(std::string(result.status().message()), ::testing::Not(HasSubstr(staged)));
  EXPECT_EQ(store.Current(), good.snapshot);
  ASSERT_TRUE(store.LastFailure().has_value());
  EXPECT_EQ(store.LastFailure()->status, result.status());
}

TEST(SnapshotStore, AnUploadBeforeAnySnapshotCompletesTheBaseFolder) {
  // The folder's own usage table is broken; the upload supplies a good one.
  const std::string dir = WriteDataFolder(
      "store_upload_first",
      {{"feature_usage.csv", std::string(kUsageHeader) + "U-1,S-1,bad,f,1,1,0,False\n"}});
  const std::string staging = WriteDataFolder("store_upload_first_staging");
  SnapshotStore store;
  EXPECT_FALSE(store.LoadFolder(dir, std::nullopt).ok());
  const std::string staged = (std::filesystem::path(staging) / "feature_usage.csv").string();
  absl::StatusOr<LoadResult> result = store.LoadReplacingTable(
      dataset::Table::kFeatureUsage, staged, "feature_usage.csv", dir, std::nullopt);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->snapshot->version, 1);
  EXPECT_EQ(result->snapshot->source_dir, dir);
}

TEST(SnapshotStore, AnUploadWithoutSnapshotOrFolderIsAPreconditionFailure) {
  SnapshotStore store;
  absl::StatusOr<LoadResult> result = store.LoadReplacingTable(
      dataset::Table::kAccounts, "/nonexistent/a.csv", "a.csv", "/nonexistent", std::nullopt);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("no current data"));
}

TEST(ContentHash, DependsOnBytesNotOnFileNames) {
  const std::string a = WriteDataFolder("hash_a");
  const std::string b = WriteDataFolder("hash_b");
  std::filesystem::rename(std::filesystem::path(b) / "accounts.csv",
                          std::filesystem::path(b) / "crm_accounts.csv");
  absl::StatusOr<std::string> hash_a = HashDataFiles(*dataset::FindDataFiles(a), std::nullopt);
  absl::StatusOr<std::string> hash_b = HashDataFiles(*dataset::FindDataFiles(b), std::nullopt);
  ASSERT_TRUE(hash_a.ok() && hash_b.ok());
  EXPECT_EQ(*hash_a, *hash_b);
  WriteFile(b, "crm_accounts.csv",
            DefaultTables().at("accounts.csv") + "A-3,X,Y,Z,2024-01-01,a,Pro,1,False,False\n");
  EXPECT_NE(*HashDataFiles(*dataset::FindDataFiles(b), std::nullopt), *hash_a);
}

TEST(ContentHash, UnreadableFileIsAnErrorNamingIt) {
  dataset::DataFiles files;
  for (std::string& path : files.paths) path = "/nonexistent/x.csv";
  absl::StatusOr<std::string> hash = HashDataFiles(files, std::nullopt);
  ASSERT_FALSE(hash.ok());
  EXPECT_THAT(std::string(hash.status().message()), HasSubstr("/nonexistent/x.csv"));
}

}  // namespace
}  // namespace churn::snapshots
