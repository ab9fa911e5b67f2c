// Taking the tables out of an uploaded zip: nested folders flattened, everything that is not a
// table skipped, and hostile archives (path traversal, absolute names, too many entries, too
// large when inflated, deep nesting, duplicate tables) refused without writing outside the
// destination.
#include "data_sets/zip_extractor.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "zip_writer.h"
#include "testing/scratch_dir.h"

namespace churn::data_sets {
namespace {

namespace fs = std::filesystem;
using churn::testing::WriteZip;
using churn::testing::ZipEntry;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ZipExtractorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = scratch_.path();
    dest_ = base_ / "out" / "dest";
    fs::create_directories(dest_);
    zip_ = (base_ / "upload.zip").string();
  }

  // Every file under base_ except the zip itself.
  std::set<std::string> FilesWritten() const {
    std::set<std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(base_)) {
      if (entry.is_regular_file() && entry.path() != zip_) {
        files.insert(fs::relative(entry.path(), base_).string());
      }
    }
    return files;
  }

  static std::string Read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  const churn::testing::ScratchDir scratch_;
  fs::path base_;
  fs::path dest_;
  std::string zip_;
};

TEST_F(ZipExtractorTest, ExtractsTablesAtTheTop) {
  WriteZip(zip_, {{"accounts.csv", "a,b\n1,2\n"}, {"subscriptions.csv", "s\n"}});
  absl::StatusOr<std::vector<ExtractedFile>> files = ExtractZipFile(zip_, dest_.string(), {});
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].name, "accounts.csv");
  EXPECT_EQ((*files)[0].bytes, 8);
  EXPECT_EQ(Read(dest_ / "accounts.csv"), "a,b\n1,2\n");
  EXPECT_EQ(Read(dest_ / "subscriptions.csv"), "s\n");
}

TEST_F(ZipExtractorTest, FlattensNestedFoldersAndSkipsWhatIsNotATable) {
  WriteZip(zip_, {{"export/", ""},
                  {"export/2024/", ""},
                  {"export/2024/ravenstack_accounts.csv", "x\n"},
                  {"export/README.md", "not a table"},
                  {"__MACOSX/export/._ravenstack_accounts.csv", "resource fork"},
                  {"export/.hidden.csv", "hidden"},
                  {"export/notes.txt", "text"}});
  absl::StatusOr<std::vector<ExtractedFile>> files = ExtractZipFile(zip_, dest_.string(), {});
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].entry_name, "export/2024/ravenstack_accounts.csv");
  EXPECT_THAT(FilesWritten(), ElementsAre("out/dest/ravenstack_accounts.csv"));
}

TEST_F(ZipExtractorTest, RefusesPathTraversalAndWritesNothing) {
  for (const std::string name : {"../accounts.csv", "x/../../accounts.csv", "../../out/x.csv",
                                 "/tmp/accounts.csv", "..\\accounts.csv", "C:/accounts.csv"}) {
    WriteZip(zip_, {{"accounts.csv", "fine\n"}, {name, "evil\n"}});
    absl::StatusOr<std::vector<ExtractedFile>> files = ExtractZipFile(zip_, dest_.string(), {});
    EXPECT_EQ(files.status().code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(std::string(files.status().message()), HasSubstr("refused")) << name;
    // Names are all checked before the first byte is written.
    EXPECT_TRUE(FilesWritten().empty()) << name;
  }
}

TEST_F(ZipExtractorTest, RefusesTooManyEntries) {
  std::vector<ZipEntry> entries;
  for (int i = 0; i < 11; ++i) entries.push_back({"f" + std::to_string(i) + ".txt", "x"});
  WriteZip(zip_, entries);
  ZipLimits limits;
  limits.max_entries = 10;
  absl::StatusOr<std::vector<ExtractedFile>> files = ExtractZipFile(zip_, dest_.string(), limits);
  EXPECT_EQ(files.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(files.status().message()), HasSubstr("11 entries; at most 10"));
  limits.max_entries = 11;
  EXPECT_TRUE(ExtractZipFile(zip_, dest_.string(), limits).ok());
}

TEST_F(ZipExtractorTest, RefusesAZipThatInflatesPastTheLimit) {
  // 4 MiB of zeros deflates to a few kilobytes: a small upload, a large table.
  WriteZip(zip_, {{"feature_usage.csv", std::string(size_t{4} << 20, '0')}});
  ASSERT_LT(fs::file_size(zip_), 64u * 1024);
  ZipLimits limits;
  limits.max_inflated_bytes = int64_t{1} << 20;
  absl::StatusOr<std::vector<ExtractedFile>> files = ExtractZipFile(zip_, dest_.string(), limits);
  EXPECT_EQ(files.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(files.status().message()), HasSubstr("inflates to more than 1048576"));
}

TEST_F(ZipExtractorTest, TheInflatedLimitCountsEveryTableTogether) {
  WriteZip(zip_, {{"a.csv", std::string(600, 'a')}, {"b.csv", std::string(600, 'b')}});
  ZipLimits limits;
  limits.max_inflated_bytes = 1000;
  EXPECT_EQ(ExtractZipFile(zip_, dest_.string(), limits).status().code(),
            absl::StatusCode::kResourceExhausted);
  limits.max_inflated_bytes = 1200;
  EXPECT_TRUE(ExtractZipFile(zip_, dest_.string(), limits).ok());
}

TEST_F(ZipExtractorTest, RefusesDeepNestingAndDuplicateTables) {
  WriteZip(zip_, {{"a/b/c/d/accounts.csv", "x\n"}});
  ZipLimits limits;
  limits.max_depth = 3;
  EXPECT_THAT(std::string(ExtractZipFile(zip_, dest_.string(), limits).status().message()),
              HasSubstr("nested deeper than 3 folders"));
  limits.max_depth = 4;
  EXPECT_TRUE(ExtractZipFile(zip_, dest_.string(), limits).ok());

  fs::remove_all(dest_);
  fs::create_directories(dest_);
  WriteZip(zip_, {{"one/accounts.csv", "x\n"}, {"two/accounts.csv", "y\n"}});
  absl::StatusOr<std::vector<ExtractedFile>> files = ExtractZipFile(zip_, dest_.string(), {});
  EXPECT_EQ(files.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(files.status().message()), HasSubstr("two tables named 'accounts.csv'"));
  EXPECT_TRUE(FilesWritten().empty());
}

TEST_F(ZipExtractorTest, NeverOverwritesAnExistingFile) {
  std::ofstream(dest_ / "accounts.csv") << "already here";
  WriteZip(zip_, {{"accounts.csv", "new\n"}});
  EXPECT_FALSE(ExtractZipFile(zip_, dest_.string(), {}).ok());
  EXPECT_EQ(Read(dest_ / "accounts.csv"), "already here");
}

TEST_F(ZipExtractorTest, RefusesBytesThatAreNotAZip) {
  std::ofstream(zip_) << "account_id,account_name\nA-1,Acme\n";
  absl::StatusOr<std::vector<ExtractedFile>> files = ExtractZipFile(zip_, dest_.string(), {});
  EXPECT_EQ(files.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(files.status().message()), HasSubstr("not a readable zip"));
  EXPECT_EQ(ExtractZipBytes("PK\x03\x04garbage", dest_.string(), {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // No bytes read as an empty archive: no tables (the data set check then names the missing ones).
  absl::StatusOr<std::vector<ExtractedFile>> none = ExtractZipBytes("", dest_.string(), {});
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
}

TEST_F(ZipExtractorTest, ReadsFromMemoryAsFromAFile) {
  WriteZip(zip_, {{"dir/accounts.csv", "a\n"}});
  absl::StatusOr<std::vector<ExtractedFile>> files =
      ExtractZipBytes(Read(zip_), dest_.string(), {});
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(Read(dest_ / "accounts.csv"), "a\n");
}

TEST(CheckZipEntryName, NamesTheEntryPrintably) {
  absl::Status status = CheckZipEntryName(std::string("../\x01x.csv"), 8);
  EXPECT_THAT(std::string(status.message()), HasSubstr("'../?x.csv'"));
  EXPECT_TRUE(CheckZipEntryName("a/b.csv", 8).ok());
  EXPECT_TRUE(CheckZipEntryName("a..b.csv", 8).ok());  // dots inside a name are no path
}

}  // namespace
}  // namespace churn::data_sets
