// TableHashCache: a settled, unchanged file keeps its hash without being read; any change to its
// identity, or a change too recent to trust, reads it again.

#include "snapshots/table_hash_cache.h"

#include <filesystem>
#include <fstream>
#include <thread>

#include "gtest/gtest.h"
#include "snapshots/content_hash.h"
#include "testing/data_folder.h"

namespace churn::snapshots {
namespace {

using churn::testing::WriteDataFolder;
using dataset::Table;

constexpr int kTickets = static_cast<int>(Table::kSupportTickets);

void Append(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::app) << text;
}

TEST(TableHashCache, HashesEqualEachFilesOwnHash) {
  const dataset::DataFiles files = *dataset::FindDataFiles(WriteDataFolder("hash_cache_equal"));
  TableHashCache cache;
  absl::StatusOr<TableHashes> hashes = cache.Hash(files);
  ASSERT_TRUE(hashes.ok()) << hashes.status();
  for (Table table : dataset::kAllTables) {
    EXPECT_EQ(hashes->of_table[static_cast<int>(table)], *HashFile(files.of(table)));
    EXPECT_TRUE(hashes->read[static_cast<int>(table)]);
  }
  EXPECT_EQ(CombineTableHashes(hashes->of_table, std::nullopt),
            *HashDataFiles(files, std::nullopt));
}

TEST(TableHashCache, ASettledUnchangedFileIsNotReadAgain) {
  const dataset::DataFiles files = *dataset::FindDataFiles(WriteDataFolder("hash_cache_settled"));
  TableHashCache cache(std::chrono::milliseconds(20));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the files settle
  ASSERT_TRUE(cache.Hash(files).ok());
  absl::StatusOr<TableHashes> again = cache.Hash(files);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->read, (std::array<bool, 5>{}));

  // One table changes: only it is read, and its hash follows the bytes.
  Append(files.of(Table::kSupportTickets), "T-9,A-1,2024-12-30,,,low,,,False\n");
  absl::StatusOr<TableHashes> changed = cache.Hash(files);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->read, (std::array<bool, 5>{false, false, false, false, true}));
  EXPECT_EQ(changed->of_table[kTickets], *HashFile(files.of(Table::kSupportTickets)));
  EXPECT_NE(changed->of_table[kTickets], again->of_table[kTickets]);
}

TEST(TableHashCache, ARecentlyChangedFileIsReadEveryTime) {
  const dataset::DataFiles files = *dataset::FindDataFiles(WriteDataFolder("hash_cache_recent"));
  TableHashCache cache(std::chrono::hours(1));  // nothing settles during the test
  ASSERT_TRUE(cache.Hash(files).ok());
  absl::StatusOr<TableHashes> again = cache.Hash(files);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->read, (std::array<bool, 5>{true, true, true, true, true}));
}

TEST(TableHashCache, AFileReplacedByRenameIsReadAgain) {
  const std::string dir = WriteDataFolder("hash_cache_rename");
  const dataset::DataFiles files = *dataset::FindDataFiles(dir);
  const std::string tickets = files.of(Table::kSupportTickets);
  TableHashCache cache(std::chrono::milliseconds(20));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  absl::StatusOr<TableHashes> first = cache.Hash(files);
  ASSERT_TRUE(first.ok());
  // Same size, new bytes, moved into place: a new inode.
  std::string text = churn::testing::DefaultTables().at("support_tickets.csv");
  text[text.find("T-1")] = 'X';
  std::ofstream(tickets + ".new", std::ios::binary) << text;
  std::filesystem::rename(tickets + ".new", tickets);
  absl::StatusOr<TableHashes> second = cache.Hash(files);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->read[kTickets]);
  EXPECT_NE(second->of_table[kTickets], first->of_table[kTickets]);
}

TEST(TableHashCache, AMissingFileIsAnErrorNamingIt) {
  dataset::DataFiles files = *dataset::FindDataFiles(WriteDataFolder("hash_cache_missing"));
  files.paths[kTickets] = "/nonexistent/support_tickets.csv";
  TableHashCache cache;
  absl::StatusOr<TableHashes> hashes = cache.Hash(files);
  ASSERT_FALSE(hashes.ok());
  EXPECT_NE(hashes.status().message().find("/nonexistent/support_tickets.csv"),
            std::string_view::npos);
}

}  // namespace
}  // namespace churn::snapshots
