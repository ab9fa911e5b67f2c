// Named data sets: an upload (five files or one zip) is validated in full before it appears,
// errors name file, line and column without the server's folders, and a failed or abandoned
// upload leaves nothing behind.
#include "data_sets/data_set_library.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "data_sets/data_set_upload.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/data_folder.h"
#include "zip_writer.h"
#include "testing/scratch_dir.h"

namespace churn::data_sets {
namespace {

namespace fs = std::filesystem;
using churn::testing::DefaultTables;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class DataSetLibraryTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = scratch_ / "sets"; }

  std::unique_ptr<DataSetLibrary> Library(DataSetLimits limits = {}) {
    auto library = std::make_unique<DataSetLibrary>(root_.string(), limits, dataset::LoadOptions{});
    EXPECT_TRUE(library->Init().ok());
    return library;
  }

  // Sends `tables` (file name -> text) as one upload, each file in two chunks.
  static absl::StatusOr<DataSetInfo> UploadFiles(DataSetLibrary& library, const std::string& name,
                                                 const std::map<std::string, std::string>& tables) {
    absl::StatusOr<std::unique_ptr<DataSetUpload>> upload = library.BeginUpload(name);
    if (!upload.ok()) return upload.status();
    for (const auto& [file, text] : tables) {
      if (absl::Status s = (*upload)->StartFile(file); !s.ok()) return s;
      const size_t half = text.size() / 2;
      if (absl::Status s = (*upload)->Append(text.substr(0, half)); !s.ok()) return s;
      if (absl::Status s = (*upload)->Append(text.substr(half)); !s.ok()) return s;
    }
    return (*upload)->Finish();
  }

  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(root_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  const churn::testing::ScratchDir scratch_;
  fs::path root_;
};

TEST_F(DataSetLibraryTest, FiveFilesBecomeANamedDataSet) {
  auto library = Library();
  absl::StatusOr<DataSetInfo> info = UploadFiles(*library, "q3", DefaultTables());
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->name, "q3");
  EXPECT_THAT(info->files, ElementsAre("accounts.csv", "churn_events.csv", "feature_usage.csv",
                                       "subscriptions.csv", "support_tickets.csv"));
  EXPECT_GT(info->bytes, 0);
  EXPECT_EQ(ReadFile(info->path + "/accounts.csv"), DefaultTables().at("accounts.csv"));
  EXPECT_THAT(Entries(), ElementsAre("q3"));  // no staging folder left
  ASSERT_EQ(library->List().size(), 1u);
  EXPECT_EQ(library->List()[0].name, "q3");
  EXPECT_TRUE(library->Find("q3").ok());
  EXPECT_TRUE(ValidateDataFolder(info->path, {}).ok());
}

TEST_F(DataSetLibraryTest, OneZipBecomesANamedDataSet) {
  const std::string zip = (root_.parent_path() / ("upload_" + std::to_string(getpid()) + ".zip"));
  std::vector<churn::testing::ZipEntry> entries = {{"export/", ""}};
  for (const auto& [file, text] : DefaultTables()) entries.push_back({"export/rs_" + file, text});
  churn::testing::WriteZip(zip, entries);
  auto library = Library();
  absl::StatusOr<DataSetInfo> info =
      UploadFiles(*library, "zipped", {{"export.zip", ReadFile(zip)}});
  fs::remove(zip);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_THAT(info->files, ElementsAre("rs_accounts.csv", "rs_churn_events.csv",
                                       "rs_feature_usage.csv", "rs_subscriptions.csv",
                                       "rs_support_tickets.csv"));  // the zip itself is not kept
  EXPECT_THAT(Entries(), ElementsAre("zipped"));
}

TEST_F(DataSetLibraryTest, ABadValueNamesFileLineAndColumnAndLeavesNothing) {
  auto library = Library();
  std::map<std::string, std::string> tables = DefaultTables();
  tables["subscriptions.csv"] =
      "subscription_id,account_id,plan_tier,arr_amount,is_trial,downgrade_flag\n"
      "S-1,A-1,Pro,12000,False,False\n"
      "S-2,A-2,Basic,lots,True,False\n";
  absl::StatusOr<DataSetInfo> info = UploadFiles(*library, "bad", tables);
  EXPECT_EQ(info.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(info.status().message());
  EXPECT_THAT(message, HasSubstr("subscriptions.csv:3:"));
  EXPECT_THAT(message, HasSubstr("arr_amount"));
  EXPECT_THAT(message, Not(HasSubstr(root_.string())));  // no server folder in the message
  EXPECT_THAT(Entries(), IsEmpty());
  EXPECT_THAT(library->List(), IsEmpty());
}

TEST_F(DataSetLibraryTest, AMissingTableIsNamedWithoutTheServerFolder) {
  auto library = Library();
  std::map<std::string, std::string> tables = DefaultTables();
  tables.erase("churn_events.csv");
  absl::StatusOr<DataSetInfo> info = UploadFiles(*library, "partial", tables);
  EXPECT_EQ(info.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(info.status().message()), HasSubstr("*churn_events.csv"));
  EXPECT_THAT(std::string(info.status().message()), Not(HasSubstr(root_.string())));
  EXPECT_THAT(Entries(), IsEmpty());
}

TEST_F(DataSetLibraryTest, ABadZipLeavesNothing) {
  auto library = Library();
  absl::StatusOr<DataSetInfo> info =
      UploadFiles(*library, "notzip", {{"tables.zip", "this is not a zip"}});
  EXPECT_EQ(info.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(info.status().message()), HasSubstr("tables.zip: "));
  EXPECT_THAT(Entries(), IsEmpty());
}

TEST_F(DataSetLibraryTest, NamesAreCheckedAndNeverReplaced) {
  auto library = Library();
  EXPECT_EQ(library->BeginUpload("../up").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(library->BeginUpload(".staging-x").status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(UploadFiles(*library, "taken", DefaultTables()).ok());
  EXPECT_EQ(library->BeginUpload("taken").status().code(), absl::StatusCode::kAlreadyExists);
  // Two uploads of one name racing: the second to finish is refused, the first stays.
  auto first = library->BeginUpload("race");
  auto second = library->BeginUpload("race");
  ASSERT_TRUE(first.ok() && second.ok());
  for (auto* upload : {first->get(), second->get()}) {
    for (const auto& [file, text] : DefaultTables()) {
      ASSERT_TRUE(upload->StartFile(file).ok());
      ASSERT_TRUE(upload->Append(text).ok());
    }
  }
  EXPECT_TRUE((*first)->Finish().ok());
  EXPECT_EQ((*second)->Finish().status().code(), absl::StatusCode::kAlreadyExists);
  second->reset();
  EXPECT_THAT(Entries(), ElementsAre("race", "taken"));
}

TEST_F(DataSetLibraryTest, FileNamesAndLimitsAreEnforced) {
  DataSetLimits limits;
  limits.max_upload_bytes = 100;
  limits.max_files = 2;
  auto library = Library(limits);
  auto upload = library->BeginUpload("limits");
  ASSERT_TRUE(upload.ok());
  EXPECT_EQ((*upload)->Append("x").code(), absl::StatusCode::kInvalidArgument);  // no file yet
  EXPECT_EQ((*upload)->StartFile("run.sh").code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE((*upload)->StartFile("../../accounts.csv").ok());  // stored as accounts.csv
  EXPECT_EQ((*upload)->StartFile("accounts.csv").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*upload)->StartFile("more.zip").code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE((*upload)->StartFile("b.csv").ok());
  EXPECT_EQ((*upload)->StartFile("c.csv").code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE((*upload)->Append(std::string(100, 'x')).ok());
  EXPECT_EQ((*upload)->Append("x").code(), absl::StatusCode::kResourceExhausted);
  upload->reset();  // abandoned: its staging folder goes
  EXPECT_THAT(Entries(), IsEmpty());
}

TEST_F(DataSetLibraryTest, InitRemovesStagingLeftBehindAndListSkipsOddFolders) {
  fs::create_directories(root_ / ".staging-deadbeef");
  fs::create_directories(root_ / "has space");
  std::ofstream(root_ / "loose.csv") << "x";
  auto library = Library();
  EXPECT_FALSE(fs::exists(root_ / ".staging-deadbeef"));
  EXPECT_THAT(library->List(), IsEmpty());
  EXPECT_EQ(library->Find("nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(library->Find("..").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace churn::data_sets
