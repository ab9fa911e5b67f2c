// The ticket text sets on offer: folder files (parsed once, re-parsed when they change) and
// uploads.

#include "snapshots/ticket_catalog.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/scratch_dir.h"

namespace churn::snapshots {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string FreshDir(const std::string& name) {
  const fs::path dir = churn::testing::ProgramScratch() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

void WriteFile(const std::string& dir, const std::string& name, const std::string& text) {
  std::ofstream(fs::path(dir) / name, std::ios::binary | std::ios::trunc) << text;
}

constexpr char kLinked[] =
    "ticket_id,account_id,subject,body\n"
    "T-1,A-1,Renewal,\"We may cancel, the quote is over budget\"\n"
    "T-2,A-2,Bug,Export fails\n";
constexpr char kDemo[] = "id,Ticket Description\n1,Where is my invoice?\n2,Thanks!\n3,Broken\n";

TEST(TicketSetCatalog, ListsTheFolderCsvFilesSortedByName) {
  const std::string dir = FreshDir("catalog_list");
  WriteFile(dir, "z_demo.csv", kDemo);
  WriteFile(dir, "a_linked.csv", kLinked);
  WriteFile(dir, "README.md", "not a set");
  TicketSetCatalog catalog({.tickets_dir = dir, .parse = {}, .max_uploaded_sets = 4});
  std::vector<TicketSetEntry> sets = catalog.List();
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].name, "a_linked.csv");
  EXPECT_EQ(sets[0].file, (fs::path(dir) / "a_linked.csv").string());
  EXPECT_FALSE(sets[0].uploaded);
  ASSERT_NE(sets[0].set, nullptr);
  EXPECT_EQ(sets[0].set->key_column, "account_id");
  EXPECT_EQ(sets[0].set->text_columns, "subject + body");
  EXPECT_EQ(sets[0].set->rows_total, 2);
  ASSERT_NE(sets[1].set, nullptr);
  EXPECT_EQ(sets[1].set->key_column, "");
  EXPECT_EQ(sets[1].set->text_columns, "Ticket Description");
  EXPECT_EQ(sets[1].set->tickets.size(), 3u);
}

TEST(TicketSetCatalog, NoFolderMeansNoFolderSets) {
  TicketSetCatalog catalog({});
  EXPECT_TRUE(catalog.List().empty());
  EXPECT_FALSE(catalog.Find("anything").has_value());
}

TEST(TicketSetCatalog, AnUnusableFileIsListedWithItsError) {
  const std::string dir = FreshDir("catalog_bad");
  WriteFile(dir, "numbers.csv", "a,b\n1,2\n");
  TicketSetCatalog catalog({.tickets_dir = dir, .parse = {}, .max_uploaded_sets = 4});
  std::vector<TicketSetEntry> sets = catalog.List();
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].set, nullptr);
  EXPECT_THAT(sets[0].error, HasSubstr("numbers.csv:1:1: no text column"));
}

TEST(TicketSetCatalog, ReparsesAFileOnlyWhenItChanges) {
  const std::string dir = FreshDir("catalog_cache");
  WriteFile(dir, "t.csv", kDemo);
  TicketSetCatalog catalog({.tickets_dir = dir, .parse = {}, .max_uploaded_sets = 4});
  std::shared_ptr<const tickets::TicketSet> first = catalog.List().at(0).set;
  EXPECT_EQ(catalog.List().at(0).set, first) << "unchanged file parsed again";
  WriteFile(dir, "t.csv", std::string(kDemo) + "4,More\n");
  std::shared_ptr<const tickets::TicketSet> second = catalog.List().at(0).set;
  ASSERT_NE(second, nullptr);
  EXPECT_NE(second, first);
  EXPECT_EQ(second->rows_total, 4);
  fs::remove(fs::path(dir) / "t.csv");
  EXPECT_TRUE(catalog.List().empty());
}

TEST(TicketSetCatalog, UploadedSetsAreListedAfterTheFolderAndFoundByName) {
  const std::string dir = FreshDir("catalog_upload");
  const std::string staging = FreshDir("catalog_upload_staging");
  WriteFile(dir, "folder.csv", kDemo);
  WriteFile(staging, "up-1.csv", kLinked);
  TicketSetCatalog catalog({.tickets_dir = dir, .parse = {}, .max_uploaded_sets = 2});
  absl::StatusOr<TicketSetEntry> added =
      catalog.AddUploaded("mine", (fs::path(staging) / "up-1.csv").string(), "export.csv");
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_TRUE(added->uploaded);
  EXPECT_EQ(added->file, "export.csv");
  EXPECT_EQ(added->set->name, "mine");
  std::vector<TicketSetEntry> sets = catalog.List();
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[1].name, "mine");
  std::optional<TicketSetEntry> found = catalog.Find("mine");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->set->tickets.size(), 2u);
  EXPECT_TRUE(catalog.Find("folder.csv").has_value());
}

TEST(TicketSetCatalog, UploadsReplaceTheirNamesakeAndTheOldestIsDropped) {
  const std::string staging = FreshDir("catalog_upload_cap");
  WriteFile(staging, "demo.csv", kDemo);
  WriteFile(staging, "linked.csv", kLinked);
  const std::string demo = (fs::path(staging) / "demo.csv").string();
  const std::string linked = (fs::path(staging) / "linked.csv").string();
  TicketSetCatalog catalog({.tickets_dir = "", .parse = {}, .max_uploaded_sets = 2});
  ASSERT_TRUE(catalog.AddUploaded("one", demo, "demo.csv").ok());
  ASSERT_TRUE(catalog.AddUploaded("two", demo, "demo.csv").ok());
  ASSERT_TRUE(catalog.AddUploaded("one", linked, "linked.csv").ok());  // replaces "one"
  std::vector<TicketSetEntry> sets = catalog.List();
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].name, "two");
  EXPECT_EQ(sets[1].name, "one");
  EXPECT_EQ(sets[1].set->key_column, "account_id");
  ASSERT_TRUE(catalog.AddUploaded("three", demo, "demo.csv").ok());
  EXPECT_FALSE(catalog.Find("two").has_value());
}

TEST(TicketSetCatalog, ABrokenUploadNamesTheUsersFile) {
  const std::string staging = FreshDir("catalog_upload_bad");
  WriteFile(staging, "up.csv", "id,body\n1,\"unterminated\n");
  TicketSetCatalog catalog({});
  absl::StatusOr<TicketSetEntry> added =
      catalog.AddUploaded("bad", (fs::path(staging) / "up.csv").string(), "their_export.csv");
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(added.status().message()), HasSubstr("their_export.csv:2:"));
  EXPECT_TRUE(catalog.List().empty());
}

}  // namespace
}  // namespace churn::snapshots
